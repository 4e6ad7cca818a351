"""obligation.theme: the owner theme of an action item (reminders and feeds filter by it);
obligation.period widened to 128 (an action item's period is its slug, up to 64 + "output-")

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("obligation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("theme", sa.String(length=40), nullable=True))
        batch_op.alter_column(
            "period", existing_type=sa.String(length=32), type_=sa.String(length=128),
            existing_nullable=True,
        )


def downgrade() -> None:
    with op.batch_alter_table("obligation", schema=None) as batch_op:
        batch_op.alter_column(
            "period", existing_type=sa.String(length=128), type_=sa.String(length=32),
            existing_nullable=True,
        )
        batch_op.drop_column("theme")
