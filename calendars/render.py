"""Obligations and meetings -> one VCALENDAR feed (bytes), deterministic and fast.

- Deadlines are all-day events (DTSTART;VALUE=DATE, DTEND the next day): a legal date, not
  an instant; they are TRANSPARENT so they never block anyone's free/busy time.
- Meetings are timed events in their IANA zone, with a VTIMEZONE built from the tz
  database's transitions over the whole years the feed's meetings span
  (``calendars.vtimezone``); a meeting known only to the day is an all-day event.
- One event that cannot be rendered (say, a zone this machine does not know) is left out and
  reported in ``RenderedFeed.skipped``; the rest of the feed is served.
- UID from our key, SEQUENCE from its version, DTSTAMP from the injected ``now``, events
  sorted by date then UID: the same data always gives the same bytes (so the ETag holds).
- No METHOD: a feed is published, not an iTIP message (``calendars.itip`` adds METHOD).
- Speed: each VEVENT is serialised once per (event, alarms) and kept without its DTSTAMP;
  a feed joins the cached bytes (icalendar builds ~3,000 events/s, joining is ~1 ms).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from icalendar import Alarm, Calendar, Event, vText

from calendars.model import DeadlineEvent, MeetingEvent
from calendars.vtimezone import span_of, vtimezone, zone_info
from rules.wording import status_word

PRODID = "-//CCM Implementation Support Unit//ccm-tracker//EN"
REFRESH = dt.timedelta(hours=12)  # a hint: Google refreshes when it wants (8-24 h)
_BEGIN = b"BEGIN:VEVENT\r\n"
_END_CALENDAR = b"END:VCALENDAR\r\n"


def stamp(now: dt.datetime) -> str:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _alarms(event: Event, alarm_days: Sequence[int], what: str) -> None:
    for days in sorted(set(alarm_days), reverse=True):
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("trigger", dt.timedelta(days=-days))
        alarm.add("description", f"{what} in {days} day{'s' if days != 1 else ''}")
        event.add_component(alarm)


def deadline_vevent(deadline: DeadlineEvent, alarm_days: Sequence[int] = ()) -> Event:
    """A VEVENT without DTSTAMP (the feed or the invite adds it)."""
    event = Event()
    event.add("uid", deadline.uid)
    event.add("sequence", deadline.version)
    event.add("dtstart", deadline.due)
    event.add("dtend", deadline.due + dt.timedelta(days=1))
    # Met deadlines stay visible (the record of compliance); the title says any status but
    # open, in the digest's words: "(overdue)", "(met late)", "(not needed)".
    status = deadline.shown_status
    shown = deadline.summary if status == "open" else f"{deadline.summary} ({status_word(status)})"
    event.add("summary", shown)
    event.add("description", deadline.description)
    event.add("categories", list(deadline.categories))
    if deadline.url:
        event.add("url", deadline.url)
    event.add("status", "CONFIRMED")
    event.add("transp", "TRANSPARENT")
    event.add("x-ccm-status", status)
    if not deadline.met:
        _alarms(event, alarm_days, deadline.summary)
    return event


def meeting_vevent(meeting: MeetingEvent, alarm_days: Sequence[int] = ()) -> Event:
    """A VEVENT without DTSTAMP; its VTIMEZONE must be in the same calendar."""
    event = Event()
    event.add("uid", meeting.uid)
    event.add("sequence", meeting.version)
    if meeting.precision == "day":
        first = meeting.start.date()
        last = meeting.end.date()
        event.add("dtstart", first)
        event.add("dtend", max(last, first) + dt.timedelta(days=1))
    else:
        zone = zone_info(meeting.timezone)
        event.add("dtstart", meeting.start.astimezone(zone))
        event.add("dtend", meeting.end.astimezone(zone))
    title = f"Cancelled: {meeting.title}" if meeting.cancelled else meeting.title
    event.add("summary", title)
    if meeting.venue:
        event.add("location", meeting.venue)
    if meeting.description:
        event.add("description", meeting.description)
    event.add("categories", list(meeting.categories))
    if meeting.url:
        event.add("url", meeting.url)
    event.add("status", "CANCELLED" if meeting.cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    if not meeting.cancelled:
        _alarms(event, alarm_days, meeting.title)
    return event


@lru_cache(maxsize=50_000)
def _serialised(item: DeadlineEvent | MeetingEvent, alarm_days: tuple[int, ...]) -> bytes:
    """The VEVENT's bytes after ``BEGIN:VEVENT``, without DTSTAMP (cached: frozen inputs)."""
    if isinstance(item, DeadlineEvent):
        event = deadline_vevent(item, alarm_days)
    else:
        event = meeting_vevent(item, alarm_days)
    data = event.to_ical()
    assert data.startswith(_BEGIN)
    return data[len(_BEGIN):]


def _sort_key(item: DeadlineEvent | MeetingEvent) -> tuple[str, str]:
    if isinstance(item, DeadlineEvent):
        return (item.due.isoformat(), item.uid)
    if item.precision == "day":
        return (item.start.date().isoformat(), item.uid)
    return (item.start.astimezone(dt.UTC).isoformat(), item.uid)


def calendar_header(name: str, description: str = "") -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("name", name)  # RFC 7986
    calendar.add("x-wr-calname", vText(name))  # Outlook, Google, Apple
    if description:
        calendar.add("description", description)
        calendar.add("x-wr-caldesc", vText(description))
    calendar.add("x-wr-timezone", "Europe/Zurich")  # the ISU's zone, for floating times
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT12H")  # same as REFRESH
    return calendar


@dataclass(frozen=True, slots=True)
class Skipped:
    """An event left out of a feed, and why (the error's text, as raised)."""

    uid: str
    reason: str


@dataclass(frozen=True, slots=True)
class RenderedFeed:
    data: bytes
    events: int  # VEVENTs in ``data``
    skipped: tuple[Skipped, ...] = ()


def render(
    *,
    name: str,
    deadlines: Iterable[DeadlineEvent],
    meetings: Iterable[MeetingEvent] = (),
    now: dt.datetime,
    alarm_days: Sequence[int] = (),
    description: str = "",
) -> RenderedFeed:
    """The whole feed and what it had to leave out. ``now`` becomes every DTSTAMP; pass a
    stable revision time (see docs)."""
    items: list[DeadlineEvent | MeetingEvent] = [*deadlines, *meetings]
    items.sort(key=_sort_key)
    alarms = tuple(sorted(set(alarm_days), reverse=True))
    skipped: list[Skipped] = []
    by_zone: dict[str, list[MeetingEvent]] = defaultdict(list)
    for item in items:
        if isinstance(item, MeetingEvent) and item.precision == "time":
            by_zone[item.timezone].append(item)
    header = calendar_header(name, description)
    unusable: set[str] = set()
    for zone in sorted(by_zone):
        instants = [t for m in by_zone[zone] for t in (m.start, m.end)]
        try:
            header.add_component(vtimezone(zone, *span_of(instants)))
        except Exception as error:  # noqa: BLE001 - reported; the rest of the feed is served
            unusable.add(zone)
            skipped += [Skipped(m.uid, _reason(error)) for m in by_zone[zone]]
    head = header.to_ical()
    assert head.endswith(_END_CALENDAR)
    dtstamp = b"DTSTAMP:" + stamp(now).encode() + b"\r\n"
    parts = [head[: -len(_END_CALENDAR)]]
    events = 0
    for item in items:
        if isinstance(item, MeetingEvent) and item.timezone in unusable and item.precision == "time":
            continue
        try:
            body = _serialised(item, alarms)
        except Exception as error:  # noqa: BLE001 - reported; the rest of the feed is served
            skipped.append(Skipped(item.uid, _reason(error)))
            continue
        parts += [_BEGIN, dtstamp, body]
        events += 1
    parts.append(_END_CALENDAR)
    return RenderedFeed(b"".join(parts), events, tuple(skipped))


def _reason(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"


def render_feed(
    *,
    name: str,
    deadlines: Iterable[DeadlineEvent],
    meetings: Iterable[MeetingEvent] = (),
    now: dt.datetime,
    alarm_days: Sequence[int] = (),
    description: str = "",
) -> bytes:
    """The feed's bytes (``render`` without the report of skipped events)."""
    return render(name=name, deadlines=deadlines, meetings=meetings, now=now,
                  alarm_days=alarm_days, description=description).data


def cache_clear() -> None:
    _serialised.cache_clear()
