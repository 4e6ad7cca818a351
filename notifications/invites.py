"""Meeting invites (iTIP) queued in the notification outbox, so they share its idempotency,
claims, retries and records with every reminder.

One outbox row per (meeting UID, SEQUENCE, method, recipient): inviting again to an
unchanged meeting is a no-op; a moved meeting (higher version) invites again as an update;
a cancelled one sends METHOD:CANCEL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.utils import parseaddr

from sqlmodel import Session, select

from calendars.itip import invite_calendar, invite_text
from calendars.model import DeadlineEvent, MeetingEvent, Person
from calendars.sources import deadline_event, list_meetings, meeting_event
from errors import UserError
from models.reminders import Recipient, Reminder
from models.tables import Obligation as ObligationRow
from models.tables import State
from notifications.outbox import Attachment, OutboxMessage, enqueue
from settings import Settings

INVITE_KIND = "invite"


class InviteRefused(UserError, ValueError):
    """The invite cannot be queued as asked; nothing was written."""


@dataclass
class InvitePlan:
    meeting: str
    method: str
    version: int
    queued: list[str] = field(default_factory=list)  # recipients newly queued
    already: list[str] = field(default_factory=list)  # queued before: left alone


def organiser_person(organiser: str) -> Person:
    name, address = parseaddr(organiser)
    if not address or "@" not in address:
        raise InviteRefused(
            f"CCM_INVITE_ORGANISER {organiser!r} is not 'Name <address>' or an address"
        )
    return Person(email=address, name=name)


def invitees(*, session: Session, names: Sequence[str]) -> list[Recipient]:
    """The named recipients, or every recipient with an email who follows meetings."""
    if names:
        found = {r.name: r for r in session.exec(select(Recipient).where(Recipient.name.in_(names))).all()}  # type: ignore[attr-defined]
        missing = [n for n in names if n not in found]
        if missing:
            raise InviteRefused(f"no such recipient: {', '.join(missing)} (see `recipients list`)")
        chosen = [found[n] for n in names]
    else:
        chosen = [
            r for r in session.exec(select(Recipient).order_by(Recipient.name)).all()
            if r.email and (not r.kinds or "meeting" in r.kinds.split(","))
        ]
    without = [r.name for r in chosen if not r.email]
    if without:
        raise InviteRefused(
            f"{', '.join(without)} ha{'s' if len(without) == 1 else 've'} no email for the "
            "ATTENDEE line: `recipients remove` then `recipients add ... --email ADDRESS`"
        )
    if not chosen:
        raise InviteRefused("nobody to invite: add recipients with --email, or name them")
    return chosen


def queue_meeting_invites(
    *,
    session: Session,
    slug: str,
    recipients: Sequence[str],
    organiser: str,
    now: dt.datetime,
    send_on: dt.date,
) -> InvitePlan:
    """Queue a REQUEST (or a CANCEL, for a cancelled meeting) per recipient."""
    # slugs are unique across conventions: the UID is <TREATY>:MEETING:<slug>
    meeting = next((m for m in list_meetings(session=session) if m.key.split(":MEETING:", 1)[-1] == slug), None)
    if meeting is None:
        raise InviteRefused(f"no meeting {slug!r} (see `ccm-tracker meetings list`)")
    event = meeting_event(meeting)
    if event is None:
        raise InviteRefused(
            f"{slug}: its date is not fixed yet ({meeting.precision}); invites need a day or a time"
        )
    method = "CANCEL" if event.cancelled else "REQUEST"
    return _queue(session, event, slug, method, recipients, organiser, now, send_on)


def queue_deadline_invites(
    *,
    session: Session,
    key: str,
    recipients: Sequence[str],
    organiser: str,
    now: dt.datetime,
    send_on: dt.date,
    settings: Settings,
    force: bool = False,
) -> InvitePlan:
    """On request, a deadline as an all-day invite (same UID and SEQUENCE as in the feeds).
    A deadline already past, or from before tracking (``history``), is refused unless
    ``force``: an invite to a day gone by is almost always a mistake."""
    row = session.get(ObligationRow, key)
    if row is None:
        raise InviteRefused(f"no obligation with key {key!r} (see `ccm-tracker deadlines`)")
    if not force and (row.status == "history" or row.due < send_on):
        why = "from before tracking began (history)" if row.status == "history" else "already past"
        raise InviteRefused(f"{key}: its due date {row.due.isoformat()} is {why}; nothing was "
                            "queued (add --force to invite to it anyway)")
    state = session.get(State, row.state) if row.state else None
    event = deadline_event(row, state_name=state.name if state else None, settings=settings)
    return _queue(session, event, key, "REQUEST", recipients, organiser, now, send_on)


def _queue(
    session: Session,
    event: MeetingEvent | DeadlineEvent,
    label: str,
    method: str,
    recipients: Sequence[str],
    organiser: str,
    now: dt.datetime,
    send_on: dt.date,
) -> InvitePlan:
    host = organiser_person(organiser)
    title = event.title if isinstance(event, MeetingEvent) else event.summary
    venue = event.venue if isinstance(event, MeetingEvent) else ""
    for field_name, text in (("title", title), ("venue", venue or "")):
        if any(not c.isprintable() for c in text):
            raise InviteRefused(
                f"{label}: the {field_name} {text!a} holds a control character (a line "
                "break?); correct it first (`ccm-tracker meetings`); nothing was queued")
    plan = InvitePlan(meeting=label, method=method, version=event.version)
    messages = []
    for recipient in invitees(session=session, names=recipients):
        attendee = Person(email=recipient.email or "", name=recipient.name)
        calendar = invite_calendar(event, method=method, organiser=host, attendees=[attendee], now=now)
        subject, text = invite_text(event, method)
        messages.append(
            OutboxMessage(
                kind=INVITE_KIND,
                key=event.key,
                version=event.version,
                stage=f"invite:{method}",
                recipient=recipient.name,
                send_on=send_on,
                subject=subject,
                body=text,
                attachment=Attachment(
                    filename="invite.ics", content=calendar, mimetype="text/calendar", method=method
                ),
            )
        )
    already = _queued_before(session, event.key, event.version, f"invite:{method}")
    enqueue(session=session, messages=messages, now=now)
    plan.queued = [m.recipient for m in messages if m.recipient not in already]
    plan.already = [m.recipient for m in messages if m.recipient in already]
    return plan


def _queued_before(session: Session, key: str, version: int, stage: str) -> set[str]:
    rows = session.exec(
        select(Reminder.recipient).where(
            Reminder.obligation_key == key, Reminder.version == version, Reminder.stage == stage
        )
    ).all()
    return set(rows)
