"""Feeds and digests hold both conventions and say which each item is under."""

import datetime as dt

from sqlmodel import Session

from calendars.sources import load_deadlines
from clock import today_in_geneva
from flows.scan import scan_in_process
from models.db import get_engine
from notifications.digest import DigestItem, build_digest
from rules.wording import Addresses
from settings import get_settings
from tests.cli.running import ccm_here

DAY = today_in_geneva()  # a feed is as of today


def test_a_feed_holds_both_conventions_each_with_its_own_names_and_withdrawals(database_url, capsys, monkeypatch):
    monkeypatch.setenv("CCM_EMIT_EVENTS", "false")
    assert ccm_here(capsys, "init", "--tracking-since", "2025-01-01")[0] == 0
    scan_in_process(DAY)
    with Session(get_engine(database_url)) as session:
        events = {e.key: e for e in load_deadlines(session=session, settings=get_settings(), as_of=DAY)}
    ccm = events["CCM:AFG:art7_annual:2024"]
    apmbc = events["APMBC:AFG:art7_annual:2024"]
    assert ccm.summary == "Afghanistan: 2024 annual transparency report"
    assert apmbc.summary == "Afghanistan: 2024 annual transparency report (APMBC)"
    # the CCM's register of reports is kept (init --tracking-since), the APMBC's is not
    assert (ccm.status, apmbc.status) == ("overdue", "unverified")
    assert events["APMBC:AFG:art5_clearance"].summary == "Afghanistan: Clearance of mined areas (APMBC)"
    # Thailand is no CCM State: its APMBC events carry its name from the APMBC's register
    assert events["APMBC:THA:art7_annual:2024"].summary.startswith("Thailand: ")
    # Lithuania left the CCM on 2025-03-06 but the APMBC only on 2025-12-27: its APMBC report
    # due 2025-04-30 is still in the feed, its CCM one is not
    assert "APMBC:LTU:art7_annual:2024" in events
    assert "CCM:LTU:art7_annual:2024" not in events


def test_a_digest_groups_each_convention_apart():
    def item(key: str, row: int) -> DigestItem:
        return DigestItem(key, 1, row, "AFG", "Afghanistan", "art7_annual", "2025", dt.date(2026, 4, 30))

    digest = build_digest(
        recipient="isu", items=[item("CCM:AFG:art7_annual:2025", 1), item("APMBC:AFG:art7_annual:2025", 2)],
        as_of=dt.date(2026, 5, 2), addresses=Addresses("reports@example.org", "isu@example.org"),
        act_url=lambda i, what: f"https://x/{i.row_id}/{what}", page_url="https://x/me", stop_url="https://x/stop",
    )
    # holding both conventions, every group says which it is under (the CCM's too)
    assert [g.title for g in digest.groups] == [
        "CCM: 2025 annual transparency report", "APMBC: 2025 annual transparency report"]
    assert digest.conventions == "CCM and APMBC"
    assert all(len(g.lines) == 1 for g in digest.groups)
