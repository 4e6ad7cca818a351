"""One truth: the data revision counter, and the moment each fact was recorded.

``data_revision`` holds one row whose ``revision`` grows with every write of facts (the feed
cache keys on it). ``recorded_at`` (UTC) on states, Art. 3/4 facts and reports received is
the moment the row was written; rows written before this revision have none (unknown).

Revision ID: 0007
Revises: 0012
Create Date: 2026-11-29
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0007"
down_revision = "0012"
branch_labels = None
depends_on = None

FACT_TABLES = ("state", "article_fact", "report_received")


def upgrade() -> None:
    table = op.create_table(
        "data_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("changed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.bulk_insert(table, [{"id": 1, "revision": 0, "changed_at": None}])
    for name in FACT_TABLES:
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("recorded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
            )


def downgrade() -> None:
    for name in FACT_TABLES:
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.drop_column("recorded_at")
    op.drop_table("data_revision")
