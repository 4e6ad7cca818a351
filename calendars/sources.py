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

from sqlalchemy import select as sa_select
from sqlmodel import Session

from calendars.model import DeadlineEvent, MeetingEvent, Person
from clock import today_in_geneva
from models.tables import Obligation as ObligationRow
from models.tables import State
from models.tracking import tracking_since
from models.treaty_tables import TreatyParty
from rules.obligations import Registers, current_status
from rules.themes import themes_of
from rules.wording import Addresses, addresses_for, destination, status_word, title
from rules.wording import wording as kind_wording
from settings import Settings

# Statuses in which nothing is left to do (the truth helper's met_late and not_needed too).
MET = frozenset({"met", "met_late", "not_needed"})
# Not news in a feed: fell due before tracking began; a row the rules no longer produce.
HIDDEN = frozenset({"history", "retired"})
MEETING_KIND = "meeting"  # what a subscription's --kind says to get meetings
COMMITTEE = "Coordination Committee"  # who holds an obligation of no State


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

    addresses: Addresses
    info_url: str

    @classmethod
    def of(cls, settings: Settings) -> Wording:
        return cls(Addresses.of(settings), settings.calendar_info_url)


def status_on_day(
    row: DeadlineRow,
    day: dt.date,
    tracking_since: dt.date | None,
    registers: Registers | None = None,
) -> str:
    """The row's status on ``day`` (``rules.obligations.current_status``): a status a fact
    or a refresh decided (met, met late, not needed, overdue, unverified, ...) stands; an open
    one whose due day has passed is derived again for ``day`` (overdue, or unverified while
    its register is not kept)."""
    return current_status(row.status, row.kind, row.due, day, tracking_since, registers)


def deadline_event(
    row: DeadlineRow | ObligationRow,
    *,
    state_name: str | None,
    settings: Settings | Wording,
    status: str | None = None,
) -> DeadlineEvent:
    """One obligation row as a calendar event (pure: no database, no clock). ``status`` is
    the row's status on the feed's day (``status_on_day``); by default the stored one."""
    wording = settings if isinstance(settings, Wording) else Wording.of(settings)
    plain = _plain(row)
    return _deadline_event(plain, state_name, wording, status or plain.status)


def _plain(row: DeadlineRow | ObligationRow) -> DeadlineRow:
    if isinstance(row, DeadlineRow):
        return row
    return DeadlineRow(*(getattr(row, name) for name in DeadlineRow.__slots__))  # type: ignore[attr-defined]


@lru_cache(maxsize=50_000)
def _deadline_event(
    row: DeadlineRow, state_name: str | None, wording: Wording, status: str
) -> DeadlineEvent:
    words = kind_wording(row.kind)
    what = title(row.kind, row.period)
    treaty = row.key.split(":", 1)[0]
    if treaty != "CCM":  # a feed may hold several conventions: say which (issue 14)
        what = f"{what} ({treaty})"
    who = (state_name or row.state) if row.state else COMMITTEE
    where = destination(row.kind, addresses_for(treaty, wording.addresses))  # its own ISU
    due = f"Due: {row.due.isoformat()}" + (
        f" (originally {row.original_due.isoformat()})." if row.original_due != row.due else "."
    )
    lines = [
        f"{what} ({words.reference})." if words.reference else f"{what}.",
        f"State: {state_name} ({row.state})." if row.state else f"For: {COMMITTEE}.",
        f"Status: {status_word(status)}"
        + (f" on {row.met_on.isoformat()}." if row.met_on and status in MET else "."),
        due,
        f"What to do: {words.to_do}",
        str(where) if where else "",
        row.note,
    ]
    themes = themes_of(row.kind, row.theme)
    categories = tuple(dict.fromkeys(c for c in (words.article, *themes) if c))
    return DeadlineEvent(
        key=row.key,
        version=row.version,
        due=row.due,
        summary=f"{who}: {what}",
        description="\n".join(line for line in lines if line),
        categories=categories,
        url=wording.info_url,
        met=status in MET,
        met_on=row.met_on,
        state=row.state,
        kind=row.kind,
        themes=themes,
        status=status,
    )


def load_deadlines(
    *, session: Session, settings: Settings, as_of: dt.date | None = None
) -> list[DeadlineEvent]:
    """Every obligation the table holds that a State still has, as events, with its status
    on ``as_of`` (default: today in Geneva; a feed is "as of today").

    Plain column tuples, not ORM objects, and cached events: the server calls this per request.
    """
    day = as_of or today_in_geneva()
    since = tracking_since(session=session, override=settings.tracking_since)
    from models.treaty_facts import registers_by_treaty, tracking_by_treaty

    since_of = tracking_by_treaty(session=session, override=settings.tracking_since)
    kept_of = registers_by_treaty(session=session)
    states = {
        ("CCM", iso3): (name, withdrawn)
        for iso3, name, withdrawn in session.connection().execute(
            sa_select(State.iso3, State.name, State.withdrawal_effective_date)  # type: ignore[call-overload]
        )
    }
    states.update({  # another convention's participants: their own name and withdrawal
        (treaty, iso3): (name, withdrawn)
        for treaty, iso3, name, withdrawn in session.connection().execute(
            sa_select(TreatyParty.treaty, TreatyParty.iso3, TreatyParty.name,  # type: ignore[call-overload]
                      TreatyParty.withdrawal_effective_date)
        )
    })
    columns = [getattr(ObligationRow, name) for name in (*DeadlineRow.__slots__, "scanned_on")]  # type: ignore[attr-defined]
    rows = session.connection().execute(sa_select(*columns)).all()
    wording = Wording.of(settings)
    events = []
    # (a row the rules no longer produce is `retired` by the refresh or scan that found it
    # so, and HIDDEN: no guess from how old a row's scan is: a refresh of the Committee's rows
    # is newer than a State's treaty rows without making them stale)
    for *values, _scanned in rows:
        plain = DeadlineRow(*values)
        treaty = plain.key.split(":", 1)[0]
        # each convention's own registers (reports received), as `deadlines` and the scan
        status = status_on_day(plain, day, since_of.get(treaty, since), kept_of.get(treaty, {}))
        if status in HIDDEN:
            continue  # history: fell due before tracking began with nothing recorded
        name, withdrawn = states.get((treaty, plain.state), (None, None)) if plain.state else (None, None)
        if withdrawn is not None and plain.due > withdrawn:
            continue  # Art. 20: due after the withdrawal took effect
        events.append(_deadline_event(plain, name, wording, status))
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

    Times stay the stored UTC instants (the renderer puts them on the meeting's clock), so a
    zone this machine cannot read fails that meeting's event only, in the renderer, which
    reports it. A meeting known to the day carries local days (last one inclusive);
    ``MeetingEvent`` reads only the dates of ``start``/``end`` then.
    """
    start, end = meeting.start_at, meeting.end_at
    if meeting.date_precision == "day" and meeting.start_date:
        start = dt.datetime.combine(meeting.start_date, dt.time(0), tzinfo=dt.UTC)
        end = dt.datetime.combine(meeting.end_date or meeting.start_date, dt.time(0), tzinfo=dt.UTC)
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
