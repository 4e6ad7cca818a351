"""Each convention's real calendar of Meetings of States Parties and Review Conferences
(``data/ccm_meetings.csv``, ``data/apmbc_meetings.csv``: dates, venue and source of each),
and the day an extension took effect: the closing day of the meeting that granted it.

The calendar decides two things: the day a recorded extension took effect (so ``--as-of``
does not apply a grant before it was made), and which meeting decides a request to extend a
deadline (``rules.articles.deciding_meeting``), where it replaces an estimate once the
calendar reaches the deadline.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rules.dates import end_of_period

DATA = Path(__file__).resolve().parent.parent / "data"
CALENDAR_FILE = DATA / "ccm_meetings.csv"
# a convention's calendar file, by treaty code (``rules.treaties``); one without is empty
CALENDAR_FILES = {"CCM": CALENDAR_FILE, "APMBC": DATA / "apmbc_meetings.csv"}

MONTHS = {
    name: number
    for number, names in enumerate(
        [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
         ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
         ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
         ("dec", "december")],
        start=1,
    )
    for name in names
}
MEETING_CODE = re.compile(r"^\s*(\d{1,2})\s*(MSP|RC)\b(?:\s*Part\s*(\d))?", re.IGNORECASE)
SILENCE = re.compile(r"silence procedure,?\s*([A-Za-z]+)\.?\s+(\d{4})", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ConventionMeeting:
    code: str  # 9MSP, 1RC, "2RC Part 2"
    title: str
    kind: str  # msp | review_conference
    opening: dt.date
    closing: dt.date
    venue: str
    source: str
    notes: str = ""


@lru_cache(maxsize=4)
def load_calendar(path: Path = CALENDAR_FILE) -> tuple[ConventionMeeting, ...]:
    """The bundled calendar, oldest first. Raises ValueError naming the line of a bad row."""
    meetings = []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        for row in reader:
            try:
                meetings.append(ConventionMeeting(
                    code=row["code"], title=row["title"], kind=row["kind"],
                    opening=dt.date.fromisoformat(row["opening"]),
                    closing=dt.date.fromisoformat(row["closing"]),
                    venue=row["venue"], source=row["source"], notes=row.get("notes") or "",
                ))
            except (KeyError, ValueError) as error:
                raise ValueError(f"{path.name}:{reader.line_num}: {error}") from None
    return tuple(sorted(meetings, key=lambda m: m.opening))


def treaty_calendar(code: str) -> tuple[ConventionMeeting, ...]:
    """The bundled calendar of the convention ``code`` (CCM, APMBC), oldest first; empty for
    a convention with none. Raises ValueError naming the file and line of a bad row."""
    path = CALENDAR_FILES.get(code.upper())
    return load_calendar(path) if path is not None else ()


MEETING_IN_MONTH = re.compile(r"^\s*(MSP|RC)\s*\(\s*([A-Za-z]+)\.?\s+(\d{4})\s*\)\s*$", re.IGNORECASE)


def meeting_in_month(text: str, calendar: Sequence[ConventionMeeting]) -> ConventionMeeting | None:
    """The meeting a text such as "MSP (Dec 2017)" names: the one meeting of that kind held
    (opening or closing) in that month, when exactly one is on the calendar; else None."""
    match = MEETING_IN_MONTH.match(text or "")
    if not match or match.group(2).lower() not in MONTHS:
        return None
    kind = "msp" if match.group(1).upper() == "MSP" else "review_conference"
    month, year = MONTHS[match.group(2).lower()], int(match.group(3))
    found = [m for m in calendar if m.kind == kind and any(
        (d.year, d.month) == (year, month) for d in (m.opening, m.closing))]
    return found[0] if len(found) == 1 else None


def meeting_named(text: str, calendar: Sequence[ConventionMeeting]) -> ConventionMeeting | None:
    """The meeting a text such as "9MSP (2019)" or "2RC Part 1 (Nov 2020)" names. A Review
    Conference held in parts named without its part is its last part (the latest day)."""
    match = MEETING_CODE.match(text)
    if not match:
        return None
    code = f"{int(match.group(1))}{match.group(2).upper()}"
    if match.group(3):
        code += f" Part {match.group(3)}"
        found = [m for m in calendar if m.code.upper() == code.upper()]
    else:
        found = [m for m in calendar if m.code.upper() == code or m.code.upper().startswith(code + " ")]
    return max(found, key=lambda m: m.closing) if found else None


@dataclass(frozen=True, slots=True)
class GrantDay:
    day: dt.date | None
    how: str  # "meeting" | "silence procedure" | "inferred" | "unknown"
    meeting: ConventionMeeting | None = None


def grant_day(
    granted_at: str | None,
    *,
    extends: dt.date,
    calendar: Sequence[ConventionMeeting],
) -> GrantDay:
    """The day an extension of the deadline ``extends`` took effect.

    - a named meeting ("9MSP (2019)"): its closing day;
    - a silence procedure ("decided by silence procedure, Feb 2021"): the last day of that
      month (the procedure's end is not published to the day; never earlier than the truth);
    - nothing said: the closing day of the last MSP/RC opening before the deadline it extends
      (the Convention requires the decision before the deadline), marked ``inferred``;
    - otherwise (a meeting not on the calendar, no meeting before the deadline): unknown.
    """
    text = (granted_at or "").strip()
    silence = SILENCE.search(text)
    if silence and silence.group(1).lower() in MONTHS:
        month = MONTHS[silence.group(1).lower()]
        return GrantDay(end_of_period(f"{silence.group(2)}-{month:02d}"), "silence procedure")
    if text:
        meeting = meeting_named(text, calendar)
        if meeting is not None:
            return GrantDay(meeting.closing, "meeting", meeting)
        return GrantDay(None, "unknown")
    before = [m for m in calendar if m.opening < extends]
    if not before:
        return GrantDay(None, "unknown")
    last = max(before, key=lambda m: m.opening)
    return GrantDay(last.closing, "inferred", last)


def calendar_openings(calendar: Sequence[ConventionMeeting]) -> list[dt.date]:
    return [m.opening for m in calendar]


def _name(text: str) -> str:
    """A meeting's code or slug compared as a slug: lower case, anything else as one '-'."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def calendar_meetings_named(code: str, slug: str, title: str = "") -> list[ConventionMeeting]:
    """The meetings of the convention ``code``'s bundled calendar that a meeting named
    ``slug`` (or titled ``title``) would be, case-insensitively: the slug of its code
    (``13msp``, ``2rc-part-1``), a conference held in parts by its code alone (``2rc``: every
    part), or the same title. Empty when it is none of them."""
    wanted_title = " ".join(title.lower().split())
    found = []
    for meeting in treaty_calendar(code):
        codes = {_name(meeting.code), _name(meeting.code.split(" Part")[0])}
        if _name(slug) in codes or (wanted_title and " ".join(meeting.title.lower().split()) == wanted_title):
            found.append(meeting)
    return found
