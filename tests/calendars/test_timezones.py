"""Meetings keep their wall-clock time and the right UTC offset across DST, in every parser.

Europe/Zurich switches on the last Sunday of March (02:00 -> 03:00) and of October
(03:00 -> 02:00); Asia/Bangkok has no DST; Australia/Sydney is far east and south (its
summer time runs October to April, across the new year). Zones whose rules changed:
America/Santiago (switches at midnight, dates moved often), Africa/Cairo (DST dropped in
2015, back in 2023), Asia/Jerusalem (the 2012 and 2013 rules differ), Europe/Moscow (summer
time until 2010, permanent +04 in 2011-2014, +03 since).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calendars.render import render, render_feed
from calendars.vtimezone import UnsupportedTimezone, span_of, transitions, vtimezone
from tests.calendars.factories import NOW, make_meeting
from tests.calendars.parsing import PARSERS


@pytest.mark.parametrize(
    ("zone", "start", "offset"),
    [
        ("Europe/Zurich", (2026, 3, 28, 10, 0), "1:00:00"),  # Saturday before the spring switch
        ("Europe/Zurich", (2026, 3, 30, 10, 0), "2:00:00"),  # Monday after it
        ("Europe/Zurich", (2026, 10, 24, 10, 0), "2:00:00"),  # Saturday before the autumn switch
        ("Europe/Zurich", (2026, 10, 26, 10, 0), "1:00:00"),  # Monday after it
        ("Asia/Bangkok", (2026, 3, 30, 10, 0), "7:00:00"),  # no DST
        ("Asia/Bangkok", (2026, 12, 1, 10, 0), "7:00:00"),
        ("Australia/Sydney", (2026, 1, 15, 10, 0), "11:00:00"),  # southern summer
        ("Australia/Sydney", (2026, 7, 15, 10, 0), "10:00:00"),
    ],
)
@pytest.mark.parametrize("parser", sorted(PARSERS))
def test_meeting_keeps_wall_clock_time_and_utc_offset(zone, start, offset, parser):
    meeting = make_meeting(start=start, timezone=zone)
    data = render_feed(name="x", deadlines=[], meetings=[meeting], now=NOW)
    event = PARSERS[parser](data)[meeting.uid]
    wall = dt.datetime(*start).isoformat()
    assert event["start"] == (wall, offset)


# Days either side of a transition of the tz database (the test checks they differ).
CHANGED_ZONES = [
    ("America/Santiago", dt.date(2027, 4, 3), dt.date(2027, 4, 5)),  # DST ends 4 April 00:00
    ("America/Santiago", dt.date(2027, 9, 4), dt.date(2027, 9, 6)),  # DST starts 5 September
    ("America/Santiago", dt.date(2022, 9, 10), dt.date(2022, 9, 12)),  # moved a week in 2022
    ("Africa/Cairo", dt.date(2024, 4, 25), dt.date(2024, 4, 27)),  # DST back since 2023
    ("Africa/Cairo", dt.date(2024, 10, 31), dt.date(2024, 11, 1)),
    ("Asia/Jerusalem", dt.date(2012, 9, 22), dt.date(2012, 9, 24)),  # the 2012 rule: September
    ("Asia/Jerusalem", dt.date(2026, 3, 26), dt.date(2026, 3, 28)),  # Friday before last Sunday
    ("Europe/Moscow", dt.date(2010, 3, 27), dt.date(2010, 3, 29)),  # the last summer time
    ("Europe/Moscow", dt.date(2010, 10, 30), dt.date(2010, 11, 1)),
    ("Europe/Moscow", dt.date(2014, 10, 25), dt.date(2014, 10, 27)),  # +04 -> +03, no DST
]


def _offsets_read_back(meetings, parser: str, rename: bool) -> dict[str, str | None]:
    data = render_feed(name="x", deadlines=[], meetings=meetings, now=NOW)
    if rename:  # no parser can fall back to its own tz database: the VTIMEZONE must do it
        # (a name per span too: icalendar keeps the first VTIMEZONE it saw under a TZID)
        for zone in {m.timezone for m in meetings}:
            first, last = span_of([m.start for m in meetings if m.timezone == zone])
            renamed = f"X-Renamed/{zone.replace('/', '-')}-{first.year}-{last.year}"
            data = data.replace(zone.encode(), renamed.encode())
    return {uid: event["start"][1] for uid, event in PARSERS[parser](data).items()}


@pytest.mark.parametrize(("zone", "before", "after"), CHANGED_ZONES)
@pytest.mark.parametrize(
    ("parser", "rename"), [("ical", False), ("icalendar", True), ("vobject", True)]
)
def test_a_zone_whose_rules_changed_gives_the_tz_database_offset_either_side_of_a_switch(
    zone, before, after, parser, rename
):
    meetings = [
        make_meeting(slug=f"m{hour}-{day:%m%d}", start=(day.year, day.month, day.day, hour, 0),
                     timezone=zone, hours=1)
        for day in (before, after) for hour in (1, 10, 23)
    ]
    expected = {m.uid: str(m.start.utcoffset()) for m in meetings}
    assert expected[meetings[1].uid] != expected[meetings[4].uid], "no switch between the days"
    assert _offsets_read_back(meetings, parser, rename) == expected


@pytest.mark.parametrize("zone", ["America/Santiago", "Africa/Cairo", "Asia/Jerusalem"])
def test_transitions_are_the_tz_databases_to_the_second(zone):
    tz = zoneinfo.ZoneInfo(zone)
    found = transitions(zone, dt.date(2020, 1, 1), dt.date(2027, 1, 1))
    assert found
    for switch in found:
        assert (switch.at - dt.timedelta(seconds=1)).astimezone(tz).utcoffset() == switch.offset_from
        assert switch.at.astimezone(tz).utcoffset() == switch.offset_to


def test_the_vtimezone_has_one_dtstart_per_switch_and_no_rdate_or_rrule():
    # vobject (Radicale) keeps only the first RDATE of a sub-component (STACK-NOTES)
    text = vtimezone("Europe/Zurich", dt.date(2026, 1, 1), dt.date(2028, 1, 1)).to_ical()
    assert b"RDATE" not in text and b"RRULE" not in text
    assert text.count(b"DTSTART:") == 1 + 4  # the offset on 1 January 2026, then 4 switches
    assert b"DTSTART:20260329T020000" in text  # wall clock before the spring switch


def test_the_span_is_whole_years_so_another_meeting_the_same_year_keeps_the_bytes():
    spring = make_meeting(start=(2026, 3, 2, 10, 0))
    autumn = make_meeting(slug="autumn", start=(2026, 11, 2, 10, 0))
    assert span_of([spring.start]) == span_of([spring.start, autumn.end])
    assert span_of([spring.start]) == (dt.date(2026, 1, 1), dt.date(2027, 1, 1))


def test_the_santiago_case_a_meeting_there_no_longer_breaks_the_feed():
    # /work/shared/cases/repro_c05b_santiago.sh: 2027-06-10 10:00 in Santiago is 14:00 UTC
    meeting = make_meeting(slug="scl", start=(2027, 6, 10, 10, 0), timezone="America/Santiago",
                           hours=2)
    rendered = render(name="x", deadlines=[], meetings=[meeting, make_meeting()], now=NOW)
    assert rendered.skipped == () and rendered.events == 2
    for parser in sorted(PARSERS):
        assert PARSERS[parser](rendered.data)[meeting.uid]["start"] == (
            "2027-06-10T10:00:00", "-1 day, 20:00:00"
        )


def test_an_event_that_cannot_be_rendered_is_left_out_and_reported_and_the_rest_served():
    bad = make_meeting(slug="mars", timezone="Europe/Zurich")
    bad = type(bad)(**{**{f: getattr(bad, f) for f in bad.__slots__}, "timezone": "Mars/Olympus"})
    good = make_meeting(slug="geneva")
    rendered = render(name="x", deadlines=[], meetings=[bad, good], now=NOW)
    assert rendered.events == 1
    assert [s.uid for s in rendered.skipped] == [bad.uid]
    assert "Mars/Olympus" in rendered.skipped[0].reason
    assert set(PARSERS["vobject"](rendered.data)) == {good.uid}


def test_unknown_zone_names_are_refused_by_name():
    with pytest.raises(UnsupportedTimezone, match="Mars/Olympus"):
        vtimezone("Mars/Olympus", dt.date(2026, 1, 1), dt.date(2027, 1, 1))
    with pytest.raises(UnsupportedTimezone, match="not an IANA"):
        vtimezone("../../etc/passwd", dt.date(2026, 1, 1), dt.date(2027, 1, 1))


ZONES = [
    "Europe/Zurich", "Asia/Bangkok", "Australia/Sydney", "America/New_York", "Pacific/Chatham",
    "America/Santiago", "Africa/Cairo", "Asia/Jerusalem", "Europe/Moscow", "Africa/Casablanca",
]


@settings(max_examples=60, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    day=st.dates(min_value=dt.date(2008, 1, 1), max_value=dt.date(2035, 12, 31)),
    hour=st.integers(min_value=0, max_value=23),
)
def test_vobject_reading_our_vtimezone_agrees_with_the_tz_database_for_any_meeting(
    zone, day, hour
):
    meeting = make_meeting(start=(day.year, day.month, day.day, hour, 0), timezone=zone)
    local = meeting.start.replace(tzinfo=None)
    if meeting.start.astimezone(dt.UTC).astimezone(meeting.start.tzinfo).replace(tzinfo=None) != local:
        return  # a wall time that does not exist (in a spring-forward gap): nothing to compare
    assert _offsets_read_back([meeting], "vobject", rename=True) == {
        meeting.uid: str(meeting.start.utcoffset())
    }
