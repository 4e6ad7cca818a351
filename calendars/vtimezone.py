"""VTIMEZONEs from the tz database's own transitions over the span a feed covers.

The offsets come from ``zoneinfo`` (no rule is written by hand): every change of UTC offset,
DST flag or abbreviation between ``first`` and ``last`` becomes one STANDARD or DAYLIGHT
sub-component whose single DTSTART is the wall-clock time just before the change (RFC 5545
3.6.5: local time in TZOFFSETFROM). So any IANA zone works, including zones whose rules
changed (America/Santiago, Africa/Cairo, Asia/Jerusalem, Europe/Moscow in 2010) and zones
whose switches follow no yearly rule (Africa/Casablanca's Ramadan switches).

Why one DTSTART per sub-component, not ``icalendar``'s RDATE lists (``Timezone.from_tzinfo``,
``add_missing_timezones``): vobject (and so Radicale, which re-saves through vobject) keeps only
the first RDATE of a sub-component, which puts events after the second switch one hour off
(STACK-NOTES). A list of sub-components with one DTSTART each reads the same everywhere.
(``from_tzinfo`` also dates a spring-forward switch at the wall time after it.)
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from functools import lru_cache

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

# Samples this far apart find every transition: the tz database has none closer than days.
STEP = dt.timedelta(hours=6)


class UnsupportedTimezone(ValueError):
    """The name is not an IANA zone this machine's tz database knows."""


@dataclass(frozen=True, slots=True)
class Transition:
    """From ``at`` (UTC) on, the zone's clock reads ``offset_to`` and is called ``name``."""

    at: dt.datetime  # aware, UTC
    offset_from: dt.timedelta
    offset_to: dt.timedelta
    name: str
    daylight: bool

    @property
    def wall_before(self) -> dt.datetime:
        """The local time just before the switch (DTSTART of its sub-component, naive)."""
        return (self.at + self.offset_from).replace(tzinfo=None)


def zone_info(zone: str) -> zoneinfo.ZoneInfo:
    """``ZoneInfo(zone)``, or ``UnsupportedTimezone`` naming the zone."""
    try:
        return zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError) as error:
        raise UnsupportedTimezone(f"{zone!r} is not an IANA timezone name") from error


def _reading(tz: zoneinfo.ZoneInfo, at: dt.datetime) -> tuple[dt.timedelta, bool, str]:
    local = at.astimezone(tz)
    offset, dst = local.utcoffset(), local.dst()
    assert offset is not None
    return offset, bool(dst), local.tzname() or ""


def transitions(zone: str, first: dt.date, last: dt.date) -> tuple[Transition, ...]:
    """Every change of offset, DST flag or name from ``first`` to ``last`` (local midnights),
    each dated to the second (bisection between samples ``STEP`` apart)."""
    tz = zone_info(zone)
    at = dt.datetime.combine(first, dt.time(), tzinfo=tz).astimezone(dt.UTC)
    end = dt.datetime.combine(last, dt.time(), tzinfo=tz).astimezone(dt.UTC)
    found = []
    reading = _reading(tz, at)
    while at < end:
        later = min(at + STEP, end)
        later_reading = _reading(tz, later)
        if later_reading != reading:
            low, high = at, later  # reading(low) = reading, reading(high) differs
            while high - low > dt.timedelta(seconds=1):
                middle = low + (high - low) / 2
                middle = middle.replace(microsecond=0)
                if _reading(tz, middle) == reading:
                    low = middle
                else:
                    high = middle
            offset, daylight, name = _reading(tz, high)
            found.append(Transition(high, reading[0], offset, name, daylight))
            reading = _reading(tz, high)
        at = later
    return tuple(found)


def span_of(instants: list[dt.datetime]) -> tuple[dt.date, dt.date]:
    """Whole years around ``instants`` (1 January of the first to 1 January after the last):
    a stable span, so adding a meeting in the same years keeps the VTIMEZONE's bytes."""
    years = [i.astimezone(dt.UTC).year for i in instants]
    return dt.date(min(years), 1, 1), dt.date(max(years) + 1, 1, 1)


@lru_cache(maxsize=256)
def vtimezone(zone: str, first: dt.date, last: dt.date) -> Timezone:
    """A VTIMEZONE for ``zone`` true from ``first`` to ``last``: the offset in force on
    ``first``, then one sub-component per transition. Raises ``UnsupportedTimezone``."""
    tz = zone_info(zone)
    start = dt.datetime.combine(first, dt.time(), tzinfo=tz).astimezone(dt.UTC)
    offset, daylight, name = _reading(tz, start)
    component = Timezone()
    component.add("tzid", zone)
    component.add_component(
        _sub(Transition(start, offset, offset, name, daylight), start.astimezone(tz))
    )
    for transition in transitions(zone, first, last):
        component.add_component(_sub(transition, transition.wall_before))
    return component


def _sub(transition: Transition, dtstart: dt.datetime) -> TimezoneStandard | TimezoneDaylight:
    sub = TimezoneDaylight() if transition.daylight else TimezoneStandard()
    sub.add("dtstart", dtstart.replace(tzinfo=None))
    sub.add("tzoffsetfrom", transition.offset_from)
    sub.add("tzoffsetto", transition.offset_to)
    sub.add("tzname", transition.name)
    return sub
