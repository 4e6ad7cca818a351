"""Feed rendering: goldens (property order ignored), all-day deadlines, determinism, cache."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from calendars.render import render_feed
from calendars.sources import DeadlineRow, Wording, deadline_event
from rules.wording import Addresses
from tests.calendars.factories import NOW, make_deadline, make_meeting
from tests.calendars.parsing import normalised, parse_everywhere

GOLDEN = Path(__file__).parent / "golden"


GOLDEN_WORDING = Wording(
    Addresses(report_recipient="UNODA Geneva <reports@example.org>",
              isu_contact="the CCM ISU, Geneva <isu@example.org>"),
    info_url="https://www.clusterconvention.org/",
)


def golden_row(key: str, due: dt.date, status: str, **fields: object) -> DeadlineRow:
    _, state, kind, *period = key.split(":")
    values: dict[str, object] = {
        "key": key, "state": state, "kind": kind, "period": period[0] if period else None,
        "due": due, "original_due": due, "status": status, "met_on": None, "version": 1,
        "note": "", "theme": None,
    }
    return DeadlineRow(**{**values, **fields})  # type: ignore[arg-type]


def golden_feed(alarms: bool) -> bytes:
    """Deadlines worded by ``calendars.sources`` (the real wording table), one per status."""
    rows = [
        (golden_row("CCM:AFG:art7_annual:2025", dt.date(2026, 4, 30), "overdue"), "Afghanistan"),
        (golden_row("CCM:BIH:art7_initial", dt.date(2011, 1, 27), "met",
                    met_on=dt.date(2011, 1, 20)), "Bosnia and Herzegovina"),
        (golden_row("CCM:AFG:art4_clearance", dt.date(2026, 3, 1), "met_late", version=3,
                    original_due=dt.date(2022, 3, 1), met_on=dt.date(2026, 5, 10),
                    note="Art. 4: clear and destroy cluster munition remnants; extended 2 time(s)"),
         "Afghanistan"),
        (golden_row("CCM:AFG:art3_extension_request:2019-08-01", dt.date(2018, 11, 1),
                    "not_needed"), "Afghanistan"),
        (golden_row("CCM:AFG:art7_annual:2026", dt.date(2027, 4, 30), "open"), "Afghanistan"),
    ]
    return render_feed(
        name="Transparency coordinator",
        description="CCM deadlines (kinds: art7_initial, art7_annual).",
        deadlines=[
            deadline_event(row, state_name=name, settings=GOLDEN_WORDING) for row, name in rows
        ],
        meetings=[
            make_meeting(),
            make_meeting(slug="cc-bangkok", start=(2026, 6, 2, 9, 30), timezone="Asia/Bangkok",
                         title="Coordination Committee (regional)", venue="UN ESCAP, Bangkok",
                         version=2),
            make_meeting(slug="13msp-cancelled", start=(2026, 2, 10, 15, 0), cancelled=True,
                         title="Intersessional meeting"),
        ],
        now=NOW,
        alarm_days=(14, 1) if alarms else (),
    )


@pytest.mark.parametrize("alarms", [False, True], ids=["plain", "alarms"])
def test_feed_matches_its_golden_file_whatever_the_property_order(alarms):
    path = GOLDEN / f"feed-{'alarms' if alarms else 'plain'}.ics"
    produced = golden_feed(alarms)
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_bytes(produced)
    assert normalised(produced) == normalised(path.read_bytes())
    parse_everywhere(produced)


def test_same_data_gives_the_same_bytes_and_events_sorted_by_date_then_uid():
    first = golden_feed(alarms=False)
    assert golden_feed(alarms=False) == first
    uids = list(parse_everywhere(first))
    assert uids == [
        "CCM:BIH:art7_initial@ccm-tracker",
        "CCM:AFG:art3_extension_request:2019-08-01@ccm-tracker",
        "CCM:MEETING:13msp-cancelled@ccm-tracker",
        "CCM:AFG:art4_clearance@ccm-tracker",
        "CCM:AFG:art7_annual:2025@ccm-tracker",
        "CCM:MEETING:cc-bangkok@ccm-tracker",
        "CCM:MEETING:14msp@ccm-tracker",
        "CCM:AFG:art7_annual:2026@ccm-tracker",
    ]


def test_each_status_is_in_the_title_and_x_ccm_status_in_the_digests_words():
    events = parse_everywhere(golden_feed(alarms=False))
    shown = {uid.removesuffix("@ccm-tracker"): e["summary"] for uid, e in events.items()}
    assert shown["CCM:AFG:art7_annual:2025"] == "Afghanistan: 2025 annual transparency report (overdue)"
    assert shown["CCM:AFG:art4_clearance"].endswith("(met late)")
    assert shown["CCM:AFG:art3_extension_request:2019-08-01"].endswith("(not needed)")
    assert shown["CCM:AFG:art7_annual:2026"] == "Afghanistan: 2026 annual transparency report"
    data = golden_feed(alarms=False)
    for status in (b"overdue", b"met", b"met_late", b"not_needed", b"open"):
        assert b"X-CCM-STATUS:" + status + b"\r\n" in data


def test_deadline_is_an_all_day_event_ending_the_next_day():
    data = render_feed(name="x", deadlines=[make_deadline(due=dt.date(2028, 2, 29))], now=NOW)
    assert b"DTSTART;VALUE=DATE:20280229\r\n" in data
    assert b"DTEND;VALUE=DATE:20280301\r\n" in data  # leap day: the next day is 1 March
    event = parse_everywhere(data)["CCM:AFG:art7_annual:2025@ccm-tracker"]
    assert event["start"] == ("2028-02-29", None)


def test_feed_carries_refresh_hints_and_no_method():
    data = render_feed(name="Clearance", deadlines=[make_deadline()], now=NOW)
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT12H\r\n" in data
    assert b"X-PUBLISHED-TTL:PT12H\r\n" in data
    assert b"X-WR-CALNAME:Clearance\r\n" in data
    assert b"METHOD" not in data


def test_uid_comes_from_the_key_and_sequence_from_the_version():
    data = render_feed(name="x", deadlines=[make_deadline(version=4)], now=NOW)
    event = parse_everywhere(data)["CCM:AFG:art7_annual:2025@ccm-tracker"]
    assert event["sequence"] == 4


def test_dtstamp_is_the_injected_now_not_the_clock():
    later = dt.datetime(2030, 1, 2, 3, 4, 5, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    data = render_feed(name="x", deadlines=[make_deadline()], now=later)
    assert b"DTSTAMP:20300102T020405Z\r\n" in data


def test_met_deadline_stays_visible_and_says_so_without_alarms():
    data = render_feed(name="x", deadlines=[make_deadline(met=True)], now=NOW, alarm_days=(7,))
    event = parse_everywhere(data)["CCM:AFG:art7_annual:2025@ccm-tracker"]
    assert event["summary"].endswith("(met)")
    assert b"X-CCM-STATUS:met" in data
    assert b"VALARM" not in data


def test_alarms_only_when_the_subscription_asks():
    plain = render_feed(name="x", deadlines=[make_deadline()], now=NOW)
    alarmed = render_feed(name="x", deadlines=[make_deadline()], now=NOW, alarm_days=(14, 1))
    assert b"VALARM" not in plain
    assert alarmed.count(b"BEGIN:VALARM") == 2
    assert b"TRIGGER:-P14D" in alarmed and b"TRIGGER:-P1D" in alarmed


def test_cancelled_meeting_is_kept_with_status_cancelled():
    data = render_feed(name="x", deadlines=[], meetings=[make_meeting(cancelled=True)], now=NOW)
    event = parse_everywhere(data)["CCM:MEETING:14msp@ccm-tracker"]
    assert event["status"] == "CANCELLED"
    assert event["summary"].startswith("Cancelled: ")


def test_meeting_known_to_the_day_is_an_all_day_event_spanning_its_days():
    meeting = make_meeting(start=(2026, 9, 14, 0, 0), hours=24 * 3, precision="day")
    data = render_feed(name="x", deadlines=[], meetings=[meeting], now=NOW)
    event = parse_everywhere(data)["CCM:MEETING:14msp@ccm-tracker"]
    assert (event["start"], event["end"]) == (("2026-09-14", None), ("2026-09-18", None))
    assert b"VTIMEZONE" not in data


def test_an_empty_feed_is_still_a_valid_calendar():
    data = render_feed(name="nothing yet", deadlines=[], now=NOW)
    assert parse_everywhere(data) == {}


def test_a_changed_event_is_rendered_again_not_served_from_the_cache():
    before = render_feed(name="x", deadlines=[make_deadline()], now=NOW)
    moved = render_feed(name="x", deadlines=[make_deadline(due=dt.date(2026, 5, 30), version=2)], now=NOW)
    assert before != moved
    assert parse_everywhere(moved)["CCM:AFG:art7_annual:2025@ccm-tracker"]["start"] == ("2026-05-30", None)
