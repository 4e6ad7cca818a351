"""subscriptions: iCal feed subscriptions with hashed secret tokens

Revision ID: 0004
Revises: 0001
Create Date: 2026-11-26
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0004'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('subscription',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('themes', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('states', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('kinds', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('alarms', sa.Boolean(), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('rotated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('revoked_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('subscription', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subscription_name'), ['name'], unique=False)
        batch_op.create_index(batch_op.f('ix_subscription_token_hash'), ['token_hash'], unique=True)


def downgrade() -> None:
    with op.batch_alter_table('subscription', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_subscription_token_hash'))
        batch_op.drop_index(batch_op.f('ix_subscription_name'))
    op.drop_table('subscription')
