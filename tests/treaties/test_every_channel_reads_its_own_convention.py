"""Every channel reads an APMBC row with the APMBC's own facts: its registers (a report past
due since the last scan is `unverified` while the APMBC's register of reports is not kept,
even where the CCM's is) and its own ISU (a feed or invite never names the CCM's)."""

import datetime as dt
import json

from sqlmodel import Session, func, select

from calendars.sources import load_deadlines
from flows.scan_steps import scan_in_process
from models.db import get_engine
from models.tables import Obligation
from notifications.planning import load_candidates
from settings import get_settings
from tests.cli.running import ccm_here

SCANNED = dt.date(2026, 4, 1)  # the last scan: the 2025 reports were not due yet
DAY = dt.date(2026, 5, 2)  # asked: they are past due (30 April 2026)
KEY = "APMBC:AUS:art7_annual:2025"


def test_an_apmbc_report_past_due_since_the_scan_is_unverified_in_the_feed_reminders_and_deadlines(
        database_url, capsys, monkeypatch):
    monkeypatch.setenv("CCM_EMIT_EVENTS", "false")
    # the CCM's register of reports is kept from 2025 on; the APMBC's is not kept at all
    assert ccm_here(capsys, "init", "--tracking-since", "2025-01-01")[0] == 0
    scan_in_process(SCANNED)
    with Session(get_engine(database_url)) as session:
        feed = {e.key: e.status for e in load_deadlines(session=session, settings=get_settings(), as_of=DAY)}
        reminders = {c.key: c.status for c in load_candidates(session=session, as_of=DAY)}
    code, out, err = ccm_here(capsys, "--treaty", "all", "deadlines", "--state", "AUS", "--format", "json",
                              "--as-of", DAY.isoformat())
    assert code == 0, err
    listed = {row["key"]: row["status"] for row in json.loads(out)}
    assert (listed[KEY], feed[KEY], reminders[KEY]) == ("unverified",) * 3
    ccm_key = "CCM:AUS:art7_annual:2025"
    assert (listed[ccm_key], feed[ccm_key], reminders[ccm_key]) == ("overdue",) * 3


def test_an_apmbc_deadline_in_a_feed_names_the_apmbc_isu_never_the_ccm_one(database_url, capsys):
    assert ccm_here(capsys, "init")[0] == 0
    with Session(get_engine(database_url)) as session:
        events = [e for e in load_deadlines(session=session, settings=get_settings())
                  if e.key.startswith("APMBC:")]
    assert events
    assert [e.key for e in events if "CCM" in e.description] == []
    clearance = next(e for e in events if e.kind == "art5_clearance")
    assert "APMBC Implementation Support Unit" in clearance.description


def test_the_scan_summary_counts_an_apmbc_report_as_the_store_does(database_url, capsys, monkeypatch):
    monkeypatch.setenv("CCM_EMIT_EVENTS", "false")
    assert ccm_here(capsys, "init", "--tracking-since", "2025-01-01")[0] == 0
    summary = scan_in_process(DAY)
    overdue = {row["key"] for row in summary.overdue}
    assert "CCM:AUS:art7_annual:2025" in overdue and KEY not in overdue
    with Session(get_engine(database_url)) as session:
        # the rows this scan wrote (init stored rows as of today too, which it leaves alone)
        stored = dict(session.exec(select(Obligation.status, func.count())
                                   .where(Obligation.scanned_on == DAY).group_by(Obligation.status)).all())
    assert {k: v for k, v in summary.by_status.items() if v} == stored
