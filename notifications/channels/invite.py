"""A custom Apprise plugin that sends iTIP invites over SMTP: ``ccminvite://``.

Apprise's own email plugin attaches .ics files without ``method=``, which clients show as a
file rather than an invite; this plugin builds the RFC 6047 MIME itself (``calendars.itip``).
Importing this module registers the scheme (do it before ``Apprise.add``).

URL: ``ccminvite://[user:password@]HOST[:PORT]?from=ADDRESS[&to=A,B][&mode=plain|starttls|ssl]
[&method=REQUEST|CANCEL]``

- The calendar (with its METHOD) is the notification's ``.ics`` attachment, or else its body.
  With an attachment, the body is the text/plain part; otherwise the text is written here.
- ``to`` defaults to the calendar's ATTENDEEs; ``method``, when given, must equal METHOD.
- ``mode`` defaults to ssl on port 465, starttls on 587, plain otherwise (loopback relays).
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import ssl
from typing import Any

from apprise.decorators import notify
from icalendar import Calendar

from calendars.itip import InviteError, invite_message, method_of
from notifications.channels import accept_in_yaml_config

SCHEME = "ccminvite"
# A child of Apprise's logger: Apprise captures it per call, so a failure's reason reaches the
# outbox row (through notifications.errors.classify) instead of only a log file.
log = logging.getLogger("apprise.plugins.ccminvite")


def _calendar_from(body: str, attach: Any) -> tuple[bytes, bool]:
    """(calendar bytes, came as attachment)."""
    for attachment in attach or []:
        name = (attachment.name or "").lower()
        if name.endswith(".ics") or (attachment.mimetype or "").startswith("text/calendar"):
            with attachment.open() as handle:
                return handle.read(), True
    if body.lstrip().startswith("BEGIN:VCALENDAR"):
        return body.encode("utf-8"), False
    raise InviteError("no calendar: attach a .ics file or send the VCALENDAR as the body")


def _recipients(meta: dict[str, Any], calendar: bytes) -> list[str]:
    wanted = meta.get("qsd", {}).get("to", "")
    if wanted:
        return [a.strip() for a in wanted.replace(";", ",").split(",") if a.strip()]
    found = []
    for event in Calendar.from_ical(calendar).walk("VEVENT"):
        attendees = event.get("attendee", [])
        for attendee in attendees if isinstance(attendees, list) else [attendees]:
            found.append(str(attendee).removeprefix("mailto:").removeprefix("MAILTO:"))
    return found


def _summary_text(calendar: bytes) -> tuple[str, str]:
    event = next(iter(Calendar.from_ical(calendar).walk("VEVENT")), None)
    if event is None:
        raise InviteError("the calendar holds no VEVENT")
    title = str(event.get("summary", "Invitation"))
    start = event.decoded("dtstart")
    where = f"\nWhere: {event.get('location')}" if event.get("location") else ""
    return title, f"{title}\nWhen: {start}{where}\n"


def deliver(body: str, title: str, meta: dict[str, Any], attach: Any) -> None:
    """Build and send one invite; raise ``InviteError`` or ``smtplib.SMTPException``."""
    query = meta.get("qsd", {})
    calendar, attached = _calendar_from(body, attach)
    method = method_of(calendar)
    if query.get("method") and query["method"].upper() != method:
        raise InviteError(f"URL asks method={query['method']} but the calendar says {method}")
    sender = query.get("from") or ""
    if not sender:
        raise InviteError("the URL needs ?from=ADDRESS (the ORGANIZER's address)")
    recipients = _recipients(meta, calendar)
    if not recipients:
        raise InviteError("no recipients: give ?to= or ATTENDEEs in the calendar")
    subject, text = _summary_text(calendar)
    message = invite_message(
        calendar,
        sender=sender,
        recipients=recipients,
        subject=title or (f"Cancelled: {subject}" if method == "CANCEL" else f"Invitation: {subject}"),
        text=body if attached and body.strip() else text,
        now=dt.datetime.now(dt.UTC),
    )
    host = meta.get("host") or "127.0.0.1"
    port = int(meta.get("port") or 25)
    mode = query.get("mode") or {465: "ssl", 587: "starttls"}.get(port, "plain")
    # Both TLS modes verify the server's certificate and host name before anything is sent.
    client: smtplib.SMTP
    if mode == "ssl":
        client = smtplib.SMTP_SSL(host, port, timeout=30, context=ssl.create_default_context())
    else:
        client = smtplib.SMTP(host, port, timeout=30)
    with client:
        if mode == "starttls":
            client.starttls(context=ssl.create_default_context())
        if meta.get("user"):
            client.login(meta["user"], meta.get("password") or "")
        client.send_message(message, from_addr=sender, to_addrs=recipients)


@notify(on=SCHEME, name="CCM calendar invite (iTIP over SMTP)")
def send_invite(
    body: str, title: str, notify_type: str, meta: dict[str, Any], attach: Any = None,
    *args: Any, **kwargs: Any,
) -> bool:
    try:
        deliver(body, title, meta, attach)
    except ssl.SSLCertVerificationError as error:
        log.warning("invite refused (permanent): the server's certificate could not be verified "
                    "(%s)", error.verify_message)
        return False
    except (InviteError, ValueError) as error:
        # The invite itself cannot be written (a bad header, no calendar): retrying cannot
        # help. "(permanent)" tells notifications.errors.classify so.
        log.warning("invite refused (permanent): %s", error)
        return False
    except (smtplib.SMTPException, OSError) as error:
        # Apprise turns False into a failed result; the reason is only in this log line.
        log.warning("invite not sent: %s", error)
        return False
    return True


accept_in_yaml_config(SCHEME)
