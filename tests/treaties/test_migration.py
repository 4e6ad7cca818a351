"""Revision 0012 keeps every fact and every CCM key of a database made before it."""

import datetime as dt

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text

from models.db import MIGRATIONS, get_engine, migrate
from rules.facts import ArticleFacts, RulePolicy, StateFacts
from rules.obligations import all_obligations

PREVIOUS_HEAD = "0009"


def _config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url)
    config.attributes["engine"] = get_engine(url)
    return config


def _rows(url: str, query: str) -> list[tuple]:
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(text(query))]
    engine.dispose()
    return rows


def _columns(url: str, table: str) -> str:
    engine = create_engine(url)
    with engine.connect() as conn:
        names = list(conn.execute(text(f"SELECT * FROM {table} LIMIT 0")).keys())
    engine.dispose()
    return ", ".join(names)


def test_upgrading_keeps_every_fact_and_every_ccm_key(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    command.upgrade(_config(url), PREVIOUS_HEAD)
    facts = [
        StateFacts("AFG", deposit_date=dt.date(2011, 9, 8),
                   annual_reports_received={2012: dt.date(2013, 4, 2)},
                   articles=(ArticleFacts(4, (dt.date(2026, 3, 1),)),)),
        StateFacts("LBN", deposit_date=dt.date(2010, 11, 5),
                   articles=(ArticleFacts(4, (dt.date(2021, 5, 1), dt.date(2026, 5, 1))),)),
        StateFacts("DEU", deposit_date=dt.date(2009, 7, 8), articles=(ArticleFacts(3),)),
    ]
    obligations = all_obligations(facts, dt.date(2026, 11, 29), RulePolicy())
    engine = create_engine(url)
    with engine.begin() as conn:
        for f in facts:
            conn.execute(text(
                "INSERT INTO state (iso3, name, deposit_date, source, notes) "
                "VALUES (:iso3, :iso3, :deposit, 'test', '')"), {"iso3": f.iso3, "deposit": f.deposit_date})
        conn.execute(text(
            "INSERT INTO article_fact (iso3, article, extended_deadline, source, notes) "
            "VALUES ('LBN', 4, '2021-05-01', 'test', ''), ('LBN', 4, '2026-05-01', 'test', '')"))
        conn.execute(text(
            "INSERT INTO report_received (iso3, kind, period, received_on, source) "
            "VALUES ('AFG', 'annual', 2012, '2013-04-02', 'test')"))
        for o in obligations:
            conn.execute(text(
                "INSERT INTO obligation (key, state, kind, period, due, original_due, status, "
                "version, note) VALUES (:key, :state, :kind, :period, :due, :original_due, "
                "'open', 3, :note)"),
                {"key": o.key, "state": o.state, "kind": o.kind, "period": o.period,
                 "due": o.due, "original_due": o.original_due, "note": o.note})
    engine.dispose()
    columns = "key, state, kind, period, due, original_due, status, version, note"
    # the columns as they were: later revisions may add columns, never change these
    old_columns = {t: _columns(url, t) for t in ("state", "article_fact", "report_received")}
    before = {
        table: _rows(url, f"SELECT {old_columns[table]} FROM {table} ORDER BY 1, 2")
        for table in old_columns
    }
    before["obligation"] = _rows(url, f"SELECT {columns} FROM obligation ORDER BY key")
    assert len(before["obligation"]) == len(obligations) > 20

    migrate(url)

    assert PREVIOUS_HEAD not in {v for (v,) in _rows(url, "SELECT version_num FROM alembic_version")}
    for table, names in old_columns.items():
        assert _rows(url, f"SELECT {names} FROM {table} ORDER BY 1, 2") == before[table]
    after = _rows(url, f"SELECT {columns}, treaty FROM obligation ORDER BY key")
    assert [r[:9] for r in after] == before["obligation"]  # every key, due, status, version
    assert {r[9] for r in after} == {"CCM"}
    assert {r[0] for r in after} == {o.key for o in obligations}
    assert "CCM:AFG:art7_initial" in {r[0] for r in after}
