"""An invoice may bill a participant of any convention (issue 14): ``invoice.iso3`` loses its
foreign key to the CCM's ``state`` table, which kept an APMBC-only State (Thailand, say) from
being billed its APMBC ISU contribution. ``models.money.issue_invoice`` checks the State
against the registry of the convention billed instead. No row changes.

Downgrading restores the key; it fails while an invoice names a State outside ``state``.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30
"""
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

# SQLite keeps the key unnamed: batch mode names it by this convention to drop it.
NAMING = {"fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s"}


def _key_name() -> str:
    return ("fk_invoice_iso3_state" if op.get_bind().dialect.name == "sqlite"
            else "invoice_iso3_fkey")  # PostgreSQL's name for the unnamed key of 0002


def upgrade() -> None:
    with op.batch_alter_table("invoice", schema=None, naming_convention=NAMING) as batch_op:
        batch_op.drop_constraint(_key_name(), type_="foreignkey")


def downgrade() -> None:
    with op.batch_alter_table("invoice", schema=None, naming_convention=NAMING) as batch_op:
        batch_op.create_foreign_key(_key_name(), "state", ["iso3"], ["iso3"])
