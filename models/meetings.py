"""Schedule, move, cancel and list meetings; each change is audited.

Times are given on the meeting's own clock (``2017-03-16T09:00`` in Asia/Bangkok) and stored
in UTC beside the IANA timezone name; a local time that does not exist (the hour skipped when
clocks go forward) is refused rather than guessed.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from errors import UsageError, UserError
from models.audit import audit
from models.committee import Invoice, Meeting
from rules.dates import GENEVA
from rules.meetings import (
    DatePrecision,
    MeetingFacts,
    MeetingKind,
    check_timezone,
)

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
# A change to any of these moves the meeting for calendars (SEQUENCE grows).
MOVING_FIELDS = (
    "date_precision", "start_at", "end_at", "start_date", "end_date", "month", "timezone",
    "venue", "status",
)
DESCRIPTIVE_FIELDS = ("title", "kind", "organiser", "source", "notes")


class MeetingRejected(UserError, ValueError):
    """The meeting cannot be recorded as given; nothing was written."""


class MeetingTreatyMismatch(UsageError, MeetingRejected):
    """``--treaty`` names a convention the meeting is not (or cannot be) under (exit 2)."""


class MeetingSlugNotInForm(UsageError, MeetingRejected):
    """A slug not in the form slugs take (exit 2, as any value not in its option's form)."""


class MeetingSourceMissing(UsageError, MeetingRejected):
    """A meeting scheduled without ``--source`` (exit 2, as an invoice or a `record`): a
    meeting is a fact (an MSP's dates move every State's extension-request deadlines), and a
    fact is never recorded without where it comes from."""


@dataclass(frozen=True)
class When:
    """A meeting's dates as precisely as they are known."""

    precision: str
    start_at: dt.datetime | None = None
    end_at: dt.datetime | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    month: str | None = None


def meeting_when(
    *, start: str | None, end: str | None, month: str | None, timezone: str = GENEVA
) -> When:
    """Read ``start``/``end`` (``YYYY-MM-DD`` or ``YYYY-MM-DDTHH:MM`` local), or ``month``
    (``YYYY-MM``), or nothing at all ("to be decided")."""
    problem = check_timezone(timezone)
    if problem:
        raise MeetingRejected(problem)
    if month is not None:
        if start or end:
            raise MeetingRejected("give either a month or start/end dates, not both")
        if not MONTH.fullmatch(month):
            raise MeetingRejected(f"month {month!r} is not YYYY-MM")
        return When(DatePrecision.MONTH, month=month)
    if start is None:
        if end is not None:
            raise MeetingRejected("an end needs a start")
        return When(DatePrecision.TBD)
    timed = "T" in start or " " in start.strip()
    end = end or (None if timed else start)
    if end is None:
        raise MeetingRejected("a meeting with a start time needs an end time")
    if timed != ("T" in end or " " in end.strip()):
        raise MeetingRejected("start and end must both be dates, or both date and time")
    if not timed:
        first, last = _date(start, "start"), _date(end, "end")
        if last < first:
            raise MeetingRejected(f"end {last} is before start {first}")
        return When(DatePrecision.DAY, start_date=first, end_date=last)
    zone = ZoneInfo(timezone)
    begins, ends = _local(start, zone, "start"), _local(end, zone, "end")
    if ends <= begins:
        raise MeetingRejected(f"end {end} is not after start {start}")
    return When(
        DatePrecision.TIME,
        start_at=begins.astimezone(dt.UTC),
        end_at=ends.astimezone(dt.UTC),
        start_date=begins.date(),
        end_date=ends.date(),
    )


def schedule_meeting(
    *,
    session: Session,
    slug: str,
    title: str,
    kind: str,
    when: When,
    timezone: str = GENEVA,
    venue: str = "",
    organiser: str = "",
    source: str = "",
    notes: str = "",
    treaty: str = "CCM",
    actor: str,
    replace: bool = False,
) -> tuple[Meeting, str]:
    """Record a meeting. Returns it and what happened: created, moved, updated or unchanged.

    ``treaty`` (a code, any case) is the convention whose meeting it is: its UID is
    ``<TREATY>:MEETING:<slug>``, its funds obligation and its invoices are under it.
    A blank ``source`` is refused (``MeetingSourceMissing``, naming ``--source``).
    An existing ``slug`` is refused unless ``replace`` (the demo loader, ``meetings move``);
    a slug is unique across conventions, and a meeting's convention never changes.
    """
    if not SLUG.fullmatch(slug):
        raise MeetingSlugNotInForm(f"SLUG: {slug!r} is not a slug: use lower-case letters, digits and '-' "
                                   "(e.g. 7msp)")
    if kind not in set(MeetingKind):
        raise MeetingRejected(f"kind {kind!r} is not one of {', '.join(MeetingKind)}")
    if not title.strip():
        raise MeetingRejected("a meeting needs a title")
    if not source.strip():
        from models.validation import SOURCE_NEEDED

        raise MeetingSourceMissing(f"--source: {SOURCE_NEEDED}")
    from rules.treaties import TREATIES

    code = treaty.strip().upper()
    if code not in TREATIES:
        known = " or ".join(c.lower() for c in TREATIES)
        raise MeetingTreatyMismatch(f"--treaty {treaty!r}: a meeting is under one convention, {known}")
    values = {
        "title": title, "kind": kind, "date_precision": str(when.precision),
        "start_at": when.start_at, "end_at": when.end_at, "start_date": when.start_date,
        "end_date": when.end_date, "month": when.month, "timezone": timezone, "venue": venue,
        "organiser": organiser, "status": "scheduled", "source": source, "notes": notes,
    }
    existing = session.exec(select(Meeting).where(Meeting.slug == slug)).first()
    if existing is None:
        meeting = Meeting(slug=slug, version=1, treaty=code, **values)
        session.add(meeting)
        session.flush()
        _audit(session, actor, "meeting.scheduled", meeting, source)
        _refresh(session, meeting.kind)
        return meeting, "created"
    if not replace:
        raise MeetingRejected(f"meeting {slug!r} exists (use `ccm-tracker meetings move {slug}`)")
    if existing.treaty != code:
        raise MeetingTreatyMismatch(
            f"--treaty {code.lower()}: meeting {slug!r} is a meeting of the {existing.treaty} "
            "(a meeting's convention, and so its UID, never changes; use another slug)")
    return _update(session, existing, values, actor, source)


class MeetingOnCalendar(MeetingRejected):
    """``meetings add`` of a meeting the convention's bundled calendar already holds, with
    other dates: two records of one meeting would disagree on when it decides extensions."""


def check_not_on_calendar(*, treaty: str, slug: str, title: str, when: When) -> None:
    """Refuse (``MeetingOnCalendar``) a new meeting that is one of the convention's bundled
    calendar (``models.convention_meetings.calendar_meetings_named``: same slug or title, any
    case) unless it has exactly that meeting's days: recorded with them it only adds what the
    calendar does not hold (its costs' invoices, its invites) and moves no deadline."""
    from models.convention_meetings import CALENDAR_FILES, calendar_meetings_named

    code = treaty.strip().upper()
    found = calendar_meetings_named(code, slug, title)
    days = (when.start_date, when.end_date)
    if not found or any(days == (m.opening, m.closing) for m in found):
        return
    held = " and ".join(f"{m.code} ({m.title}) from {m.opening} to {m.closing}" for m in found)
    first = found[0]
    raise MeetingOnCalendar(
        f"meeting {slug!r} is on the {code}'s bundled calendar already (data/{CALENDAR_FILES[code].name}): "
        f"{held}; `meetings list` shows it and it decides extension dates from there; to record "
        f"it here too (e.g. to invoice its costs) give its own days, --start {first.opening} "
        f"--end {first.closing}")


def move_meeting(
    *, session: Session, slug: str, when: When | None, timezone: str | None = None,
    venue: str | None = None, source: str = "", actor: str,
) -> tuple[Meeting, str]:
    """Move a scheduled meeting to ``when`` (None: its dates stay, e.g. only the venue
    changes). A cancelled meeting is refused: moving it would bring back its funds
    obligation and its calendar invites without a word."""
    meeting = get_meeting(session=session, slug=slug)
    if meeting.status == "cancelled":
        raise MeetingRejected(
            f"meeting {slug!r} is cancelled and stays so (calendars were sent its cancellation); "
            f"to hold it after all, add it again under a new slug (`ccm-tracker meetings add "
            f"{slug}-2 ...`)")
    values: dict[str, object] = {"timezone": timezone or meeting.timezone}
    if when is not None:
        values.update({
            "date_precision": str(when.precision), "start_at": when.start_at,
            "end_at": when.end_at, "start_date": when.start_date, "end_date": when.end_date,
            "month": when.month,
        })
    if venue is not None:
        values["venue"] = venue
    return _update(session, meeting, values, actor, source)


def end_keeping_length(meeting: Meeting, start: str) -> str | None:
    """The end that keeps ``meeting``'s length when only its start moves to ``start``
    (``YYYY-MM-DD`` for a meeting dated by day, ``YYYY-MM-DDTHH:MM`` for a timed one, on its
    own clock); None when the meeting has no length to keep (a month, to be decided) or
    ``start`` is not of its precision (then ``meeting_when`` reads the start alone)."""
    timed = "T" in start or " " in start.strip()
    try:
        if not timed and meeting.date_precision == DatePrecision.DAY and meeting.start_date and meeting.end_date:
            first = dt.date.fromisoformat(start.strip())
            return (first + (meeting.end_date - meeting.start_date)).isoformat()
        if timed and meeting.date_precision == DatePrecision.TIME and meeting.start and meeting.end:
            begins = dt.datetime.fromisoformat(start.strip())
            length = meeting.end.replace(tzinfo=None) - meeting.start.replace(tzinfo=None)
            return (begins + length).strftime("%Y-%m-%dT%H:%M")
    except ValueError:
        return None  # meeting_when names what is wrong with the start
    return None


def cancel_meeting(*, session: Session, slug: str, source: str = "", actor: str) -> tuple[Meeting, str]:
    meeting = get_meeting(session=session, slug=slug)
    return _update(session, meeting, {"status": "cancelled"}, actor, source)


def get_meeting(*, session: Session, slug: str) -> Meeting:
    meeting = session.exec(select(Meeting).where(Meeting.slug == slug)).first()
    if meeting is None:
        raise MeetingRejected(f"no meeting {slug!r} (see `ccm-tracker meetings list`)")
    return meeting


def list_meetings(*, session: Session, treaties: tuple[str, ...] | None = None) -> list[Meeting]:
    """Every meeting (of the conventions ``treaties``, codes, when given), cancelled ones
    included (calendars send their CANCEL), in date order.

    Each row has ``treaty``, ``uid`` (``CCM:MEETING:<slug>``, ``APMBC:MEETING:<slug>``),
    ``version`` (SEQUENCE), ``kind``,
    ``date_precision``, ``start``/``end`` (aware, on the meeting's clock; None unless
    ``time``), ``start_date``/``end_date`` (local days, last one inclusive), ``month``,
    ``timezone``, ``venue``, ``organiser`` and ``status`` (scheduled | cancelled).
    """
    query = select(Meeting)
    if treaties is not None:
        query = query.where(Meeting.treaty.in_(treaties))  # type: ignore[attr-defined]
    rows = session.exec(query).all()
    return sorted(rows, key=lambda m: (m.start_date or _month_start(m.month), m.slug))


def meeting_facts(*, session: Session) -> list[MeetingFacts]:
    """Meetings as the rules see them; funds count as received when every cost-share
    invoice of the meeting is paid (the last payment's day)."""
    paid: dict[int, list[dt.date | None]] = {}
    for invoice in session.exec(select(Invoice).where(Invoice.meeting_id.is_not(None))).all():  # type: ignore[union-attr]
        paid.setdefault(invoice.meeting_id, []).append(invoice.paid_on)  # type: ignore[arg-type]
    facts = []
    for m in list_meetings(session=session):
        days = paid.get(m.id or 0, [])
        received = max(days) if days and all(d is not None for d in days) else None  # type: ignore[type-var]
        facts.append(
            MeetingFacts(
                slug=m.slug, title=m.title, kind=m.kind, precision=m.date_precision,
                start_date=m.start_date, end_date=m.end_date, month=m.month,
                cancelled=m.status == "cancelled", funds_received_on=received, treaty=m.treaty,
            )
        )
    return facts


def _update(
    session: Session, meeting: Meeting, values: dict[str, object], actor: str, source: str
) -> tuple[Meeting, str]:
    changed = {
        name: value for name, value in values.items() if getattr(meeting, name) != value
    }
    if not changed:
        return meeting, "unchanged"
    moved = any(name in MOVING_FIELDS for name in changed)
    before = {name: getattr(meeting, name) for name in changed}
    for name, value in changed.items():
        setattr(meeting, name, value)
    if moved:
        meeting.version += 1
    session.add(meeting)
    change = "cancelled" if changed.get("status") == "cancelled" else "moved" if moved else "updated"
    _audit(session, actor, f"meeting.{change}", meeting, source, before=before)
    _refresh(session, meeting.kind, before.get("kind"))
    return meeting, change


def _audit(
    session: Session, actor: str, action: str, meeting: Meeting, source: str,
    before: dict[str, object] | None = None,
) -> None:
    detail: dict[str, object] = {
        "uid": meeting.uid, "treaty": meeting.treaty, "version": meeting.version, "kind": meeting.kind,
        "precision": meeting.date_precision, "start": meeting.start_at or meeting.start_date,
        "end": meeting.end_at or meeting.end_date, "month": meeting.month,
        "timezone": meeting.timezone, "venue": meeting.venue, "status": meeting.status,
    }
    if before:
        detail["before"] = before
    audit(session=session, actor=actor, action=action, subject=meeting.uid, detail=detail,
          source=source)


def _date(text: str, what: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise MeetingRejected(f"{what} {text!r} is not a date (YYYY-MM-DD)") from None


def _local(text: str, zone: ZoneInfo, what: str) -> dt.datetime:
    try:
        naive = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise MeetingRejected(f"{what} {text!r} is not YYYY-MM-DDTHH:MM") from None
    if naive.tzinfo is not None:
        raise MeetingRejected(f"{what} {text!r}: give the local time, without an offset")
    local = naive.replace(tzinfo=zone)
    # DST trap: a time skipped when clocks go forward does not survive a round trip.
    if local.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None) != naive:
        raise MeetingRejected(f"{what} {text} does not exist in {zone.key} (clocks go forward)")
    return local


def _month_start(month: str | None) -> dt.date:
    if month is None:
        return dt.date.max  # to be decided: last
    year, number = (int(p) for p in month.split("-"))
    return dt.date(year, number, 1)


def _refresh(session: Session, *kinds: object) -> None:
    """Meeting funds are the Committee's obligations; an MSP or Review Conference also
    decides extension requests, so its dates move every State's request deadlines."""
    from models.refresh import refresh_obligations
    from rules.meetings import DECIDING

    deciding = any(kind in DECIDING for kind in kinds if kind)
    refresh_obligations(session=session, committee=True, all_states=deciding)
