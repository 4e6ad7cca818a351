"""Meetings keep their wall-clock time and the right UTC offset across DST, in every parser.

Europe/Zurich switches on the last Sunday of March (02:00 -> 03:00) and of October
(03:00 -> 02:00); Asia/Bangkok has no DST; Australia/Sydney is far east and south (its
summer time runs October to April, across the new year).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calendars.render import render_feed
from calendars.vtimezone import (
    UnsupportedTimezone,
    check_offsets,
    parse_posix_tz,
    vtimezone,
    zone_rule,
)
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


def test_vobject_reads_the_vtimezone_itself_not_the_zone_name():
    # vobject builds its tzinfo from our VTIMEZONE, so a wrong rule would show here; rename the
    # zone to make sure no parser can fall back to its own tz database.
    meeting = make_meeting(start=(2026, 7, 1, 10, 0))
    data = render_feed(name="x", deadlines=[], meetings=[meeting], now=NOW)
    renamed = data.replace(b"Europe/Zurich", b"Geneva-ISU")
    event = PARSERS["vobject"](renamed)[meeting.uid]
    assert event["start"] == ("2026-07-01T10:00:00", "2:00:00")


def test_the_vtimezone_has_rrules_not_rdate_lists():
    text = vtimezone("Europe/Zurich").to_ical()
    assert text.count(b"RRULE:FREQ=YEARLY") == 2
    assert b"RDATE" not in text


ZONES = ["Europe/Zurich", "Asia/Bangkok", "Australia/Sydney", "America/New_York", "Pacific/Chatham"]


@settings(max_examples=150, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    moment=st.datetimes(min_value=dt.datetime(2010, 1, 1), max_value=dt.datetime(2037, 12, 31)),
)
def test_the_zone_rule_gives_the_tz_database_offset(zone, moment):
    moment = moment.replace(fold=0)  # the rule reads gap and repeated hours as fold=0 does
    local = moment.replace(tzinfo=zoneinfo.ZoneInfo(zone))
    assert zone_rule(zone).utcoffset(moment) == local.utcoffset()


@settings(max_examples=25, deadline=None)
@given(
    zone=st.sampled_from(["Europe/Zurich", "Australia/Sydney"]),
    day=st.dates(min_value=dt.date(2012, 1, 1), max_value=dt.date(2035, 12, 31)),
    hour=st.integers(min_value=8, max_value=18),
)
def test_vobject_agrees_with_the_tz_database_for_any_meeting(zone, day, hour):
    meeting = make_meeting(start=(day.year, day.month, day.day, hour, 0), timezone=zone)
    data = render_feed(name="x", deadlines=[], meetings=[meeting], now=NOW)
    event = PARSERS["vobject"](data)[meeting.uid]
    assert event["start"][1] == str(meeting.start.utcoffset())


def test_a_zone_whose_rules_changed_is_refused_for_earlier_meetings():
    # Moscow kept summer time until 2011; its rule today has none.
    moscow_2010 = dt.datetime(2010, 7, 1, 10, tzinfo=zoneinfo.ZoneInfo("Europe/Moscow"))
    with pytest.raises(UnsupportedTimezone, match="Europe/Moscow"):
        check_offsets("Europe/Moscow", [moscow_2010])
    check_offsets("Europe/Moscow", [moscow_2010.replace(year=2016)])


def test_unknown_zone_names_are_refused_by_name():
    with pytest.raises(UnsupportedTimezone, match="Mars/Olympus"):
        vtimezone("Mars/Olympus")
    with pytest.raises(UnsupportedTimezone, match="not an IANA"):
        vtimezone("../../etc/passwd")


def test_posix_rules_with_switch_times_outside_the_day_are_refused():
    with pytest.raises(UnsupportedTimezone, match="outside its day"):
        parse_posix_tz("America/Nuuk", "<-02>2<-01>,M3.5.0/-1,M10.5.0/0")
