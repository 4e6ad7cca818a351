"""One scan covers both conventions: the obligation table holds both, each row its treaty."""

import datetime as dt

from sqlmodel import Session, select

from flows.scan import scan_in_process
from models.db import get_engine
from models.tables import Obligation
from tests.cli.running import ccm_here

DAY = dt.date(2026, 11, 29)


def stored(url: str) -> dict[str, Obligation]:
    with Session(get_engine(url)) as session:
        return {o.key: o for o in session.exec(select(Obligation)).all()}


def test_one_scan_stores_both_treaties_and_a_ccm_only_scan_leaves_the_apmbc_rows(database_url, capsys, monkeypatch):
    monkeypatch.setenv("CCM_EMIT_EVENTS", "false")
    assert ccm_here(capsys, "init", "--tracking-since", "2026-01-01")[0] == 0
    scan_in_process(DAY)
    rows = stored(database_url)
    assert {o.treaty for o in rows.values()} == {"CCM", "APMBC"}
    assert all(o.treaty == key.split(":")[0] for key, o in rows.items())
    afg = rows["APMBC:AFG:art5_clearance"]
    assert (afg.due, afg.original_due, afg.kind, afg.state) == (
        dt.date(2025, 3, 1), dt.date(2013, 3, 1), "art5_clearance", "AFG")
    assert rows["CCM:AFG:art7_initial"].treaty == "CCM"
    # nothing of Estonia's after its withdrawal took effect (2025-12-27); its history stays
    estonia = [o for k, o in rows.items() if k.startswith("APMBC:EST:")]
    assert estonia and max(o.due for o in estonia) <= dt.date(2025, 12, 27)
    # a rescan of an APMBC-only State is known, and a CCM-only scan keeps the APMBC rows
    scan_in_process(DAY, states=["THA"])
    scan_in_process(DAY, treaties=["ccm"])
    assert set(stored(database_url)) == set(rows)
