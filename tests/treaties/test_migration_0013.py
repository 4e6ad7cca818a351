"""Revision 0013 says which convention every meeting, invoice and outreach target belongs to,
keeps every row as it was (all of them the CCM's), and the migrated schema is the one the
models declare, on SQLite and PostgreSQL."""

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text

from models import all_tables
from models.db import get_engine, migrate
from tests.treaties.test_migration import _config, _rows


def test_the_migrated_schema_is_the_one_the_models_declare(database_url):
    with get_engine(database_url).connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), all_tables())
    assert differences == []


def test_meetings_invoices_and_targets_on_record_become_the_ccms(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    command.upgrade(_config(url), "0007")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO state (iso3, name, source, notes) VALUES ('AFG', 'Afghanistan', 't', '')"))
        conn.execute(text(
            "INSERT INTO meeting (slug, title, kind, date_precision, month, timezone, venue, "
            "organiser, status, version, source, notes) VALUES ('13msp', '13MSP', 'msp', 'month', "
            "'2025-09', 'Europe/Zurich', 'Geneva', '', 'scheduled', 1, 't', '')"))
        conn.execute(text(
            "INSERT INTO invoice (number, iso3, kind, amount_centimes, issued_on, meeting_id, "
            "illustrative, source, notes) VALUES ('I-1', 'AFG', 'meeting_costs', 193234, "
            "'2025-03-01', 1, 0, 't', '')"))
        conn.execute(text(
            "INSERT INTO target_state (theme, iso3, name, ask, source) "
            "VALUES ('universalization', 'USA', 'United States', '', 't')"))
    engine.dispose()

    migrate(url)

    assert _rows(url, "SELECT slug, treaty FROM meeting") == [("13msp", "CCM")]
    assert _rows(url, "SELECT number, amount_centimes, treaty FROM invoice") == [("I-1", 193234, "CCM")]
    assert _rows(url, "SELECT theme, iso3, treaty FROM target_state") == [("universalization", "USA", "CCM")]
    # the same theme may now target the same State under the other convention, once each
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO target_state (treaty, theme, iso3, name, ask, source) "
            "VALUES ('APMBC', 'universalization', 'USA', 'United States', '', 't')"))
    engine.dispose()
    assert len(_rows(url, "SELECT id FROM target_state WHERE iso3 = 'USA'")) == 2


def test_downgrading_0013_gives_back_the_previous_schema(tmp_path):
    url = f"sqlite:///{tmp_path / 'x.db'}"
    migrate(url)
    command.downgrade(_config(url), "0007")
    assert "treaty" not in _rows(url, "SELECT name FROM pragma_table_info('invoice')").__str__()
