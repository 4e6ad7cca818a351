"""Conventions everywhere (issue 14): meetings, invoices and outreach targets say which
convention they belong to, and the APMBC's facts say when they were recorded.

- ``meeting.treaty``, ``invoice.treaty``: the convention (``rules.treaties`` code) whose
  meeting it is, or whose ISU contribution / meeting costs the invoice bills; every row on
  record so far is the CCM's.
- ``target_state.treaty``: the convention a theme's outreach to a State is under (a
  universalization target of the CCM may be a party to the APMBC); unique per treaty, theme
  and State (was theme and State).
- ``recorded_at`` (UTC) on ``treaty_party``, ``treaty_article_fact`` and
  ``treaty_report_received``, as on the CCM's tables since 0007; rows written before this
  revision have none (unknown).

Revision ID: 0013
Revises: 0007
Create Date: 2026-11-29
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0013"
down_revision = "0007"
branch_labels = None
depends_on = None

TREATY_FACT_TABLES = ("treaty_party", "treaty_article_fact", "treaty_report_received")


def _treaty_column() -> sa.Column:
    return sa.Column("treaty", sa.String(length=8), nullable=False, server_default="CCM")


def upgrade() -> None:
    for name in ("meeting", "invoice"):
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.add_column(_treaty_column())
            batch_op.create_index(f"ix_{name}_treaty", ["treaty"])
    with op.batch_alter_table("target_state", schema=None) as batch_op:
        batch_op.add_column(_treaty_column())
        batch_op.create_index("ix_target_state_treaty", ["treaty"])
        batch_op.drop_constraint("uq_target_theme_state", type_="unique")
        batch_op.create_unique_constraint("uq_target_treaty_theme_state", ["treaty", "theme", "iso3"])
    for name in TREATY_FACT_TABLES:
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("recorded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
            )


def downgrade() -> None:
    for name in TREATY_FACT_TABLES:
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.drop_column("recorded_at")
    with op.batch_alter_table("target_state", schema=None) as batch_op:
        batch_op.drop_constraint("uq_target_treaty_theme_state", type_="unique")
        batch_op.create_unique_constraint("uq_target_theme_state", ["theme", "iso3"])
        batch_op.drop_index("ix_target_state_treaty")
        batch_op.drop_column("treaty")
    for name in ("meeting", "invoice"):
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.drop_index(f"ix_{name}_treaty")
            batch_op.drop_column("treaty")
