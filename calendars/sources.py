"""Adapters: the obligation table and meetings -> ``DeadlineEvent`` / ``MeetingEvent``.

Withdrawn obligations are dropped from feeds (not CANCELLED): an obligation a State no longer
has was never "cancelled" by anyone, and Google deletes CANCELLED events anyway. Rows kept
in the table as history after a withdrawal are recognised two ways: the State's withdrawal
took effect before the due date (Art. 20), or the State's last scan no longer computed the
key (its ``scanned_on`` is older than the State's newest one).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from email.utils import getaddresses, parseaddr
from functools import lru_cache
from types import SimpleNamespace
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import select as sa_select
from sqlmodel import Session

from calendars.model import DeadlineEvent, MeetingEvent, Person
from models.tables import Obligation as ObligationRow
from models.tables import State
from rules.themes import themes_of
from settings import Settings

MEETING_KIND = "meeting"  # what a subscription's --kind says to get meetings

# kind -> (article, what is due, who receives it: "report" or "isu")
KIND_TEXT: dict[str, tuple[str, str, str]] = {
    "art7_initial": ("Art. 7", "Initial transparency report (Art. 7(1))", "report"),
    "art7_annual": ("Art. 7", "Annual transparency report (Art. 7(2))", "report"),
    "art3_stockpile": ("Art. 3", "Destruction of all stockpiled cluster munitions (Art. 3(2))", "isu"),
    "art4_clearance": ("Art. 4", "Clearance and destruction of cluster munition remnants (Art. 4(1))", "isu"),
    "art3_extension_request": ("Art. 3", "Extension request for stockpile destruction (Art. 3(3))", "isu"),
    "art4_extension_request": ("Art. 4", "Extension request for clearance (Art. 4(5))", "isu"),
    "meeting_funds": ("Financial procedures", "Share of the meeting's costs on the UN account", "isu"),
    "invoice_followup": ("Financial procedures", "ISU contribution invoice (follow-up)", "isu"),
}


@dataclass(frozen=True, slots=True)
class DeadlineRow:
    """The obligation columns a calendar reads (a plain, hashable copy of a table row)."""

    key: str
    state: str | None
    kind: str
    period: str | None
    due: dt.date
    original_due: dt.date
    status: str
    met_on: dt.date | None
    version: int
    note: str
    theme: str | None  # an action item's owner theme


@dataclass(frozen=True, slots=True)
class Wording:
    """The settings a description reads (hashable, so events can be cached)."""

    report_recipient: str
    isu_contact: str
    info_url: str

    @classmethod
    def of(cls, settings: Settings) -> Wording:
        return cls(settings.calendar_report_recipient, settings.calendar_isu_contact,
                   settings.calendar_info_url)


def deadline_event(
    row: DeadlineRow | ObligationRow, *, state_name: str | None, settings: Settings | Wording
) -> DeadlineEvent:
    """One obligation row as a calendar event (pure: no database, no clock)."""
    wording = settings if isinstance(settings, Wording) else Wording.of(settings)
    return _deadline_event(_plain(row), state_name, wording)


def _plain(row: DeadlineRow | ObligationRow) -> DeadlineRow:
    if isinstance(row, DeadlineRow):
        return row
    return DeadlineRow(*(getattr(row, name) for name in DeadlineRow.__slots__))  # type: ignore[attr-defined]


@lru_cache(maxsize=50_000)
def _deadline_event(row: DeadlineRow, state_name: str | None, wording: Wording) -> DeadlineEvent:
    article, what, recipient = KIND_TEXT.get(row.kind, ("", row.kind.replace("_", " "), "isu"))
    who = row.state or "Coordination Committee"
    if row.period and row.kind.endswith("_extension_request"):
        period = f" (deadline {row.period})"
    else:
        period = f" ({row.period})" if row.period else ""
    send_to = wording.report_recipient if recipient == "report" else wording.isu_contact
    lines = [
        f"What is due: {what}{period}.",
        f"State: {state_name} ({row.state})." if row.state else f"For: {who}.",
        f"Under: {article}." if article else "",
        f"Due: {row.due.isoformat()}"
        + (f" (originally {row.original_due.isoformat()})." if row.original_due != row.due else "."),
        f"Send it to: {send_to}.",
        row.note,
    ]
    if row.status == "met":
        lines.append(
            f"Met on {row.met_on.isoformat()}." if row.met_on else "Met (date not recorded)."
        )
    themes = themes_of(row.kind, row.theme)
    categories = tuple(dict.fromkeys(c for c in (article, *themes) if c))
    short = what.split(" (")[0]
    return DeadlineEvent(
        key=row.key,
        version=row.version,
        due=row.due,
        summary=f"{who}: {short}{period}",
        description="\n".join(line for line in lines if line),
        categories=categories,
        url=wording.info_url,
        met=row.status == "met",
        met_on=row.met_on,
        state=row.state,
        kind=row.kind,
        themes=themes,
    )


def load_deadlines(*, session: Session, settings: Settings) -> list[DeadlineEvent]:
    """Every obligation the table holds that a State still has, as events.

    Plain column tuples, not ORM objects, and cached events: the server calls this per request.
    """
    states = {
        iso3: (name, withdrawn)
        for iso3, name, withdrawn in session.connection().execute(
            sa_select(State.iso3, State.name, State.withdrawal_effective_date)  # type: ignore[call-overload]
        )
    }
    columns = [getattr(ObligationRow, name) for name in (*DeadlineRow.__slots__, "scanned_on")]  # type: ignore[attr-defined]
    rows = session.connection().execute(sa_select(*columns)).all()
    newest: dict[str | None, dt.date] = {}
    for row in rows:
        scanned = row[-1]
        if scanned is not None and scanned > newest.get(row[1], dt.date.min):
            newest[row[1]] = scanned
    wording = Wording.of(settings)
    events = []
    for *values, scanned in rows:
        plain = DeadlineRow(*values)
        if plain.status == "history":
            continue  # fell due before tracking began with nothing recorded: not news
        name, withdrawn = states.get(plain.state, (None, None)) if plain.state else (None, None)
        if withdrawn is not None and plain.due > withdrawn:
            continue  # Art. 20: due after the withdrawal took effect
        newest_scan = newest.get(plain.state)
        if scanned is not None and newest_scan is not None and scanned < newest_scan:
            continue  # the State's last scan no longer computes this key
        events.append(_deadline_event(plain, name, wording))
    return events


class MeetingLike(Protocol):
    """What issue 6's Meeting offers (the lead maps field names here if they differ)."""

    key: str  # CCM:MEETING:<slug>
    version: int
    title: str
    kind: str
    start: dt.datetime  # timezone-aware
    end: dt.datetime
    timezone: str  # IANA
    venue: str | None
    organiser: str | None  # "Name <email>" or an email
    precision: str  # time | day (| month | year: not placeable in a calendar)
    status: str  # scheduled | cancelled


TIMED = {"time", "datetime", "minute", "hour"}
WHOLE_DAYS = {"day", "date"}


def meeting_event(meeting: Any) -> MeetingEvent | None:
    """A meeting as an event; None when only its month or year is known (not placeable)."""
    precision = str(meeting.precision).lower()
    if precision not in TIMED | WHOLE_DAYS:
        return None
    organiser = None
    if meeting.organiser:
        name, address = parseaddr(meeting.organiser)
        organiser = Person(email=address, name=name) if address else None
    attendees = tuple(
        Person(email=address, name=name)
        for name, address in getaddresses(list(getattr(meeting, "attendees", None) or []))
        if address
    )
    return MeetingEvent(
        key=meeting.key,
        version=meeting.version,
        title=meeting.title,
        kind=meeting.kind,
        start=meeting.start,
        end=meeting.end,
        timezone=meeting.timezone,
        precision="time" if precision in TIMED else "day",
        venue=meeting.venue or "",
        organiser=organiser,
        attendees=attendees,
        cancelled=str(meeting.status).lower() == "cancelled",
        description=f"{meeting.title} ({meeting.kind.replace('_', ' ')})"
        + (f" at {meeting.venue}." if meeting.venue else "."),
        categories=("Meeting", meeting.kind),
    )


def meeting_events(meetings: Iterable[Any]) -> list[MeetingEvent]:
    return [event for m in meetings if (event := meeting_event(m)) is not None]


def list_meetings(*, session: Session) -> list[Any]:
    """The Committee's meetings (``models.meetings``) in the shape ``meeting_event`` reads."""
    from models.meetings import list_meetings as committee_meetings

    return [_meeting_like(m) for m in committee_meetings(session=session)]


def _meeting_like(meeting: Any) -> SimpleNamespace:
    """Map a ``models.committee.Meeting`` row onto ``MeetingLike``.

    A meeting known to the day carries local days (last one inclusive); ``MeetingEvent``
    reads ``start``/``end`` as dates then, so midnight on the meeting's clock stands in.
    """
    zone = ZoneInfo(meeting.timezone)
    start, end = meeting.start, meeting.end
    if meeting.date_precision == "day" and meeting.start_date:
        start = dt.datetime.combine(meeting.start_date, dt.time(0), tzinfo=zone)
        end = dt.datetime.combine(meeting.end_date or meeting.start_date, dt.time(0), tzinfo=zone)
    return SimpleNamespace(
        key=meeting.uid,
        version=meeting.version,
        title=meeting.title,
        kind=meeting.kind,
        start=start,
        end=end,
        timezone=meeting.timezone,
        venue=meeting.venue,
        organiser=meeting.organiser,
        precision=meeting.date_precision,
        status=meeting.status,
    )


def load_meetings(*, session: Session) -> list[MeetingEvent]:
    return meeting_events(list_meetings(session=session))
