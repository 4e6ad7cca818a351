"""Treaties (issue 14): the APMBC beside the CCM.

New tables for the facts of conventions other than the CCM (``treaty_party``,
``treaty_article_fact``, ``treaty_report_received``), and ``obligation.treaty``, filled from
each key's first part. No CCM row, fact or key changes (the feeds' UIDs stay as they were).

Revision ID: 0012
Revises: 0009
Create Date: 2026-11-29
"""
import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "treaty_party",
        sa.Column("treaty", sa.String(length=8), nullable=False),
        sa.Column("iso3", sa.String(length=3), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("signature_date", sa.Date(), nullable=True),
        sa.Column("deposit_date", sa.Date(), nullable=True),
        sa.Column("instrument", sa.String(), nullable=True),
        sa.Column("provisional_application_date", sa.Date(), nullable=True),
        sa.Column("withdrawal_effective_date", sa.Date(), nullable=True),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("notes", sa.String(), nullable=False),
        sa.Column("facts_version", sa.Integer(), nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("treaty", "iso3"),
    )
    op.create_table(
        "treaty_article_fact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("treaty", sa.String(length=8), nullable=False),
        sa.Column("iso3", sa.String(length=3), nullable=False),
        sa.Column("article", sa.Integer(), nullable=False),
        sa.Column("extended_deadline", sa.Date(), nullable=True),
        sa.Column("extension_granted_at", sa.String(), nullable=True),
        sa.Column("completed_date", sa.Date(), nullable=True),
        sa.Column("completed_period", sa.String(), nullable=True),
        sa.Column("hostilities_ended", sa.Date(), nullable=True),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("notes", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["treaty", "iso3"], ["treaty_party.treaty", "treaty_party.iso3"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_treaty_article_fact_treaty", "treaty_article_fact", ["treaty"])
    op.create_index("ix_treaty_article_fact_iso3", "treaty_article_fact", ["iso3"])
    op.create_table(
        "treaty_report_received",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("treaty", sa.String(length=8), nullable=False),
        sa.Column("iso3", sa.String(length=3), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=True),
        sa.Column("source", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["treaty", "iso3"], ["treaty_party.treaty", "treaty_party.iso3"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("treaty", "iso3", "kind", "period", name="uq_treaty_report"),
    )
    op.create_index("ix_treaty_report_received_treaty", "treaty_report_received", ["treaty"])
    op.create_index("ix_treaty_report_received_iso3", "treaty_report_received", ["iso3"])
    with op.batch_alter_table("obligation", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("treaty", sa.String(length=8), nullable=False, server_default="CCM")
        )
        batch_op.create_index("ix_obligation_treaty", ["treaty"])
    # every key on record so far is a CCM key ("CCM:AFG:...", "CCM:CC:..."); say so from the
    # key itself, so a key with another prefix (none exists before this revision) is kept
    op.execute(
        "UPDATE obligation SET treaty = substr(key, 1, instr(key, ':') - 1) WHERE key LIKE '%:%'"
        if op.get_bind().dialect.name == "sqlite"
        else "UPDATE obligation SET treaty = split_part(key, ':', 1) WHERE key LIKE '%:%'"
    )


def downgrade() -> None:
    with op.batch_alter_table("obligation", schema=None) as batch_op:
        batch_op.drop_index("ix_obligation_treaty")
        batch_op.drop_column("treaty")
    op.drop_table("treaty_report_received")
    op.drop_table("treaty_article_fact")
    op.drop_table("treaty_party")
