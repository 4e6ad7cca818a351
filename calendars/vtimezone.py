"""VTIMEZONEs with RRULEs, from the zone's current rule (the POSIX TZ string ending each
TZif file), e.g. Europe/Zurich: ``CET-1CEST,M3.5.0,M10.5.0/3``.

Why not ``icalendar``'s ``add_missing_timezones()``: it writes RDATE lists, and vobject (and so
Radicale, which re-saves through vobject) keeps only the first RDATE, which puts summer events
one hour off (STACK-NOTES). An RRULE-based VTIMEZONE is what Outlook and Google emit too.

Trap: the rule describes the zone *now*. A zone whose rules changed in a meeting's year, or
whose transitions are not a yearly rule (Africa/Casablanca's Ramadan switches), would be
described wrongly: ``check_offsets`` compares each instant with ``zoneinfo`` and refuses.
"""

from __future__ import annotations

import calendar
import datetime as dt
import importlib.resources
import re
import zoneinfo
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

FIRST_YEAR = 1970  # DTSTART of each sub-component: the rule's first occurrence that year


class UnsupportedTimezone(ValueError):
    """The zone cannot be described by one yearly rule for the dates asked."""


@dataclass(frozen=True, slots=True)
class Switch:
    """A yearly switch: the ``week``-th (5 = last) ``weekday`` of ``month`` at local ``time``."""

    month: int
    week: int
    weekday: int  # POSIX: 0 = Sunday
    seconds: int  # local wall-clock time of the switch, before it happens

    def on(self, year: int) -> dt.datetime:
        py_weekday = (self.weekday - 1) % 7  # Python: 0 = Monday
        days = [
            d for d in calendar.Calendar().itermonthdates(year, self.month)
            if d.month == self.month and d.weekday() == py_weekday
        ]
        day = days[-1] if self.week == 5 else days[self.week - 1]
        return dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=self.seconds)

    def rrule(self) -> dict[str, object]:
        week = -1 if self.week == 5 else self.week
        day = ("SU", "MO", "TU", "WE", "TH", "FR", "SA")[self.weekday]
        return {"FREQ": "YEARLY", "BYMONTH": self.month, "BYDAY": f"{week}{day}"}


@dataclass(frozen=True, slots=True)
class ZoneRule:
    name: str
    std_name: str
    std_offset: dt.timedelta
    dst_name: str | None = None
    dst_offset: dt.timedelta | None = None
    dst_start: Switch | None = None  # wall clock in standard time
    dst_end: Switch | None = None  # wall clock in daylight time

    def utcoffset(self, wall: dt.datetime) -> dt.timedelta:
        """Offset of a naive wall-clock time, as ``zoneinfo`` reads it with ``fold=0``."""
        if self.dst_start is None or self.dst_end is None or self.dst_offset is None:
            return self.std_offset
        gap = self.dst_offset - self.std_offset
        start = self.dst_start.on(wall.year) + gap  # wall times in the gap read as standard
        end = self.dst_end.on(wall.year)  # the repeated hour reads as daylight (fold=0)
        in_dst = start <= wall < end if start < end else not (end <= wall < start)
        return self.dst_offset if in_dst else self.std_offset


_POSIX = re.compile(
    r"^(?P<std><[^>]+>|[A-Za-z]{3,})(?P<stdoff>[+-]?\d{1,2}(?::\d{2}){0,2})"
    r"(?:(?P<dst><[^>]+>|[A-Za-z]{3,})(?P<dstoff>[+-]?\d{1,2}(?::\d{2}){0,2})?"
    r",(?P<start>M\d{1,2}\.\d\.\d(?:/[+-]?\d{1,3}(?::\d{2}){0,2})?)"
    r",(?P<end>M\d{1,2}\.\d\.\d(?:/[+-]?\d{1,3}(?::\d{2}){0,2})?))?$"
)


def _seconds(text: str) -> int:
    sign = -1 if text.startswith("-") else 1
    parts = [int(p) for p in text.lstrip("+-").split(":")] + [0, 0]
    return sign * (parts[0] * 3600 + parts[1] * 60 + parts[2])


def _switch(text: str, zone: str) -> Switch:
    date, _, time = text[1:].partition("/")
    month, week, weekday = (int(p) for p in date.split("."))
    seconds = _seconds(time) if time else 2 * 3600
    if not 0 <= seconds < 24 * 3600:
        # e.g. America/Nuuk switches at "-1:00": not expressible as one BYDAY rule
        raise UnsupportedTimezone(f"{zone}: switch time {time!r} falls outside its day")
    return Switch(month, week, weekday, seconds)


def parse_posix_tz(zone: str, text: str) -> ZoneRule:
    match = _POSIX.match(text)
    if match is None:
        raise UnsupportedTimezone(f"{zone}: cannot read its rule {text!r}")
    std_offset = dt.timedelta(seconds=-_seconds(match["stdoff"]))  # POSIX counts westwards
    rule = ZoneRule(name=zone, std_name=match["std"].strip("<>"), std_offset=std_offset)
    if match["dst"] is None:
        return rule
    dst_offset = (
        dt.timedelta(seconds=-_seconds(match["dstoff"]))
        if match["dstoff"]
        else std_offset + dt.timedelta(hours=1)
    )
    return ZoneRule(
        name=zone,
        std_name=rule.std_name,
        std_offset=std_offset,
        dst_name=match["dst"].strip("<>"),
        dst_offset=dst_offset,
        dst_start=_switch(match["start"], zone),
        dst_end=_switch(match["end"], zone),
    )


def _tzif_bytes(zone: str) -> bytes:
    """The zone's TZif file, looked up in the order ``zoneinfo`` itself uses."""
    if not re.fullmatch(r"[A-Za-z0-9_+\-]+(/[A-Za-z0-9_+\-]+)*", zone):
        raise UnsupportedTimezone(f"{zone!r} is not an IANA timezone name")
    for root in zoneinfo.TZPATH:
        path = Path(root) / zone
        if path.is_file():
            return path.read_bytes()
    try:
        return (importlib.resources.files("tzdata.zoneinfo") / zone).read_bytes()
    except (FileNotFoundError, ModuleNotFoundError) as error:
        raise UnsupportedTimezone(f"{zone!r} is not an IANA timezone name") from error


@lru_cache(maxsize=64)
def zone_rule(zone: str) -> ZoneRule:
    footer = _tzif_bytes(zone).rstrip(b"\n").rsplit(b"\n", 1)[-1].decode("ascii")
    return parse_posix_tz(zone, footer)


def check_offsets(zone: str, instants: list[dt.datetime]) -> None:
    """Refuse when the VTIMEZONE would put one of ``instants`` at another UTC offset."""
    rule = zone_rule(zone)
    tz = zoneinfo.ZoneInfo(zone)
    for instant in instants:
        wall = instant.astimezone(tz)
        expected = wall.utcoffset()
        if rule.utcoffset(wall.replace(tzinfo=None)) != expected:
            raise UnsupportedTimezone(
                f"{zone}: its current rule gives {wall:%Y-%m-%d %H:%M} another UTC offset than "
                f"the tz database ({expected}); this zone's history cannot be described by one "
                "yearly rule"
            )


def vtimezone(zone: str) -> Timezone:
    """A VTIMEZONE for ``zone`` with one STANDARD and, with DST, one DAYLIGHT (RRULEs)."""
    rule = zone_rule(zone)
    component = Timezone()
    component.add("tzid", zone)
    if rule.dst_start is None or rule.dst_end is None or rule.dst_offset is None:
        standard = TimezoneStandard()
        standard.add("dtstart", dt.datetime(FIRST_YEAR, 1, 1))
        standard.add("tzoffsetfrom", rule.std_offset)
        standard.add("tzoffsetto", rule.std_offset)
        standard.add("tzname", rule.std_name)
        component.add_component(standard)
        return component
    daylight = TimezoneDaylight()
    daylight.add("dtstart", rule.dst_start.on(FIRST_YEAR))
    daylight.add("rrule", rule.dst_start.rrule())
    daylight.add("tzoffsetfrom", rule.std_offset)
    daylight.add("tzoffsetto", rule.dst_offset)
    daylight.add("tzname", rule.dst_name)
    standard = TimezoneStandard()
    standard.add("dtstart", rule.dst_end.on(FIRST_YEAR))
    standard.add("rrule", rule.dst_end.rrule())
    standard.add("tzoffsetfrom", rule.dst_offset)
    standard.add("tzoffsetto", rule.std_offset)
    standard.add("tzname", rule.std_name)
    component.add_component(daylight)
    component.add_component(standard)
    return component
