"""state.facts_version: the optimistic check of fact writers (a write based on facts that
changed meanwhile is refused, never lost)

Revision ID: 0008
Revises: 0006
Create Date: 2026-11-29
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("state", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("facts_version", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("state", schema=None) as batch_op:
        batch_op.drop_column("facts_version")
