"""The same feed read by three independent parsers, reduced to comparable fields."""

from __future__ import annotations

import datetime as dt
from typing import Any

import icalendar
import vobject
from ical.calendar_stream import IcsCalendarStream


def _when(value: Any) -> tuple[str, str | None]:
    """(wall-clock ISO text, UTC offset) so parsers with different tzinfo types compare."""
    if isinstance(value, dt.datetime):
        offset = value.utcoffset()
        return value.replace(tzinfo=None).isoformat(), str(offset) if offset is not None else None
    return value.isoformat(), None


def by_icalendar(data: bytes) -> dict[str, dict[str, Any]]:
    calendar = icalendar.Calendar.from_ical(data)
    return {
        str(e["uid"]): {
            "summary": str(e["summary"]),
            "sequence": int(e["sequence"]),
            "start": _when(e.decoded("dtstart")),
            "end": _when(e.decoded("dtend")),
            "status": str(e.get("status", "")),
            "categories": [str(c) for c in e["categories"].cats],
        }
        for e in calendar.walk("VEVENT")
    }


def by_ical(data: bytes) -> dict[str, dict[str, Any]]:
    calendar = IcsCalendarStream.calendar_from_ics(data.decode("utf-8"))
    return {
        e.uid: {
            "summary": e.summary,
            "sequence": e.sequence,
            "start": _when(e.dtstart),
            "end": _when(e.dtend),
            "status": e.status.value if e.status else "",
            "categories": list(e.categories),
        }
        for e in calendar.events
    }


def by_vobject(data: bytes) -> dict[str, dict[str, Any]]:
    calendar = vobject.readOne(data.decode("utf-8"))
    return {
        e.uid.value: {
            "summary": e.summary.value,
            "sequence": int(e.sequence.value),
            "start": _when(e.dtstart.value),
            "end": _when(e.dtend.value),
            "status": e.status.value if hasattr(e, "status") else "",
            "categories": list(e.categories.value),
        }
        for e in getattr(calendar, "vevent_list", [])
    }


PARSERS = {"icalendar": by_icalendar, "ical": by_ical, "vobject": by_vobject}


def parse_everywhere(data: bytes) -> dict[str, dict[str, Any]]:
    """Parse with all three; assert they agree; return the common reading."""
    readings = {name: parse(data) for name, parse in PARSERS.items()}
    first = readings["icalendar"]
    for name, reading in readings.items():
        assert reading == first, f"{name} reads the feed differently from icalendar"
    return first


def normalised(data: bytes) -> tuple[str, tuple[str, ...], tuple]:
    """A calendar as (name, sorted content lines, children in order): property order inside a
    component does not matter (serialisers differ), component order does (events are sorted)."""
    text = data.decode("utf-8").replace("\r\n ", "").replace("\r\n\t", "")
    stack: list[tuple[str, list[str], list]] = [("ROOT", [], [])]
    for line in text.split("\r\n"):
        if not line:
            continue
        if line.startswith("BEGIN:"):
            stack.append((line[6:], [], []))
        elif line.startswith("END:"):
            name, lines, children = stack.pop()
            assert name == line[4:], f"END:{line[4:]} closes {name}"
            stack[-1][2].append((name, tuple(sorted(lines)), tuple(children)))
        else:
            stack[-1][1].append(line)
    assert len(stack) == 1 and len(stack[0][2]) == 1, "one VCALENDAR expected"
    return stack[0][2][0]
