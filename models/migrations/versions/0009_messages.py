"""Messages (issue 11): deliveries per address, heartbeats, why a row failed, snoozes, and
recipients who stopped their reminders.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "delivery",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("reminder_id", sa.Integer(), sa.ForeignKey("reminder.id"), nullable=False),
        sa.Column("address_id", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False, server_default=""),
        sa.Column("delivered_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.UniqueConstraint("reminder_id", "address_id", name="uq_delivery"),
    )
    op.create_index("ix_delivery_reminder_id", "delivery", ["reminder_id"])
    with op.batch_alter_table("reminder", schema=None) as batch_op:
        batch_op.add_column(sa.Column("heartbeat_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(
            sa.Column("failure_kind", sa.String(length=16), nullable=False, server_default="")
        )
    with op.batch_alter_table("acknowledgement", schema=None) as batch_op:
        batch_op.add_column(sa.Column("until", sa.Date(), nullable=True))
    with op.batch_alter_table("recipient", schema=None) as batch_op:
        batch_op.add_column(sa.Column("stopped_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("recipient", schema=None) as batch_op:
        batch_op.drop_column("stopped_at")
    with op.batch_alter_table("acknowledgement", schema=None) as batch_op:
        batch_op.drop_column("until")
    with op.batch_alter_table("reminder", schema=None) as batch_op:
        batch_op.drop_column("failure_kind")
        batch_op.drop_column("heartbeat_at")
    op.drop_index("ix_delivery_reminder_id", table_name="delivery")
    op.drop_table("delivery")
