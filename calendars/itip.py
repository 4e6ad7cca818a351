"""iTIP invitations by email (RFC 5546 + RFC 6047): the calendar and the MIME message.

The email is ``multipart/alternative``: a ``text/plain`` part a person reads, then a
``text/calendar; method=REQUEST; charset=UTF-8`` part whose ``method`` equals the body's
METHOD (clients refuse the invite otherwise). An update is the same UID with a higher
SEQUENCE (the meeting's version); a cancellation is METHOD:CANCEL with STATUS:CANCELLED.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from zoneinfo import ZoneInfo

from icalendar import Calendar, vCalAddress, vText

from calendars.model import DeadlineEvent, MeetingEvent, Person
from calendars.render import PRODID, deadline_vevent, meeting_vevent
from calendars.vtimezone import span_of, vtimezone

METHODS = ("REQUEST", "CANCEL")


class InviteError(ValueError):
    """The invite cannot be built or read as asked."""


def _address(person: Person, **params: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{person.email}")
    if person.name:
        address.params["CN"] = vText(person.name)
    for key, value in params.items():
        address.params[key] = vText(value)
    return address


def invite_calendar(
    item: MeetingEvent | DeadlineEvent,
    *,
    method: str,
    organiser: Person,
    attendees: Sequence[Person],
    now: dt.datetime,
) -> bytes:
    """The iTIP calendar for one meeting (or one deadline, on request)."""
    if method not in METHODS:
        raise InviteError(f"method {method!r} is not one of {', '.join(METHODS)}")
    if not attendees:
        raise InviteError(f"{item.uid}: an invite needs at least one attendee")
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    if isinstance(item, MeetingEvent):
        if item.precision == "time":
            calendar.add_component(vtimezone(item.timezone, *span_of([item.start, item.end])))
        event = meeting_vevent(item)
    else:
        event = deadline_vevent(item)
    event.add("dtstamp", now.astimezone(dt.UTC))
    event.add("organizer", _address(organiser))
    for person in attendees:
        event.add(
            "attendee",
            _address(person, CUTYPE="INDIVIDUAL", ROLE="REQ-PARTICIPANT",
                     PARTSTAT="NEEDS-ACTION", RSVP="TRUE"),
        )
    if method == "CANCEL":
        event["status"] = "CANCELLED"
    calendar.add_component(event)
    return calendar.to_ical()


def _when(item: MeetingEvent | DeadlineEvent) -> str:
    if isinstance(item, DeadlineEvent):
        return f"{item.due:%A %d %B %Y} (all day)"
    if item.precision == "day":
        return f"{item.start:%d %B %Y} to {item.end:%d %B %Y} (whole days)"
    zone = ZoneInfo(item.timezone)
    start, end = item.start.astimezone(zone), item.end.astimezone(zone)
    until = f"{end:%H:%M}" if end.date() == start.date() else f"{end:%A %d %B %Y %H:%M}"
    return f"{start:%A %d %B %Y %H:%M} to {until} ({item.timezone}, UTC{start:%z})"


def invite_text(item: MeetingEvent | DeadlineEvent, method: str) -> tuple[str, str]:
    """(subject, plain text) a person reads; the calendar part carries the same facts."""
    title = item.title if isinstance(item, MeetingEvent) else item.summary
    subject = f"Cancelled: {title}" if method == "CANCEL" else f"Invitation: {title}"
    lines = [
        ("This meeting is cancelled." if method == "CANCEL" else "You are invited.")
        if isinstance(item, MeetingEvent)
        else ("This deadline was withdrawn." if method == "CANCEL" else "A deadline for your calendar."),
        "",
        title,
        f"When: {_when(item)}",
    ]
    if isinstance(item, MeetingEvent) and item.venue:
        lines.append(f"Where: {item.venue}")
    if isinstance(item, DeadlineEvent):
        lines += ["", item.description]
    if item.version > 1 and method == "REQUEST":
        lines.append(f"(Update {item.version}: this replaces earlier invitations.)")
    return subject, "\n".join(lines) + "\n"


def invite_message(
    calendar: bytes,
    *,
    sender: str,
    recipients: Sequence[str],
    subject: str,
    text: str,
    now: dt.datetime,
) -> EmailMessage:
    """The RFC 6047 MIME message; ``method=`` on the calendar part is read from the body."""
    method = method_of(calendar)
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Subject"] = subject
    message["Date"] = format_datetime(now.astimezone(dt.UTC))
    digest = hashlib.sha256(calendar).hexdigest()[:32]
    message["Message-ID"] = f"<{digest}@ccm-tracker>"  # same invite, same id (idempotent)
    message.set_content(text)
    message.add_alternative(
        calendar, maintype="text", subtype="calendar",
        params={"method": method, "charset": "UTF-8"}, cte="base64",
    )
    return message


def method_of(calendar: bytes) -> str:
    try:
        parsed = Calendar.from_ical(calendar)
    except ValueError as error:
        raise InviteError(f"not an iCalendar object: {error}") from error
    method = str(parsed.get("method", "")).upper()
    if not method:
        raise InviteError("the calendar has no METHOD: an invite needs one (REQUEST, CANCEL)")
    return method


def sender_address(person: Person) -> str:
    return formataddr((person.name, person.email)) if person.name else person.email
