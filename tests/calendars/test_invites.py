"""iTIP invites (RFC 6047) sent through Apprise's ccminvite:// plugin to a loopback SMTP server."""

from __future__ import annotations

import datetime as dt

import apprise
import icalendar
import pytest
from apprise.attachment.memory import AttachMemory

import notifications.channels.invite  # noqa: F401  (registers ccminvite://)
from calendars.itip import InviteError, invite_calendar, invite_message, invite_text
from tests.calendars.factories import DELEGATE, ISU, NOW, make_deadline, make_meeting

pytestmark = pytest.mark.integration
OTHER = type(DELEGATE)(email="other@example.org", name="Other Delegate")


def send(url: str, body: str, title: str = "", attach=None) -> bool:
    notifier = apprise.Apprise()
    assert notifier.add(url)
    return bool(notifier.notify(body=body, title=title, attach=attach))


def itip_parts(message) -> tuple[str, icalendar.Calendar, str]:
    """(text part, calendar, method parameter), checking the RFC 6047 shape on the way."""
    assert message.get_content_type() == "multipart/alternative"
    text, calendar_part = message.iter_parts()
    assert text.get_content_type() == "text/plain"
    assert calendar_part.get_content_type() == "text/calendar"
    assert calendar_part.get_param("charset").upper() == "UTF-8"
    calendar = icalendar.Calendar.from_ical(calendar_part.get_payload(decode=True))
    return text.get_content(), calendar, calendar_part.get_param("method")


def test_meeting_invite_arrives_as_itip_request_matching_its_body(smtp_server):
    meeting = make_meeting(attendees=(DELEGATE, OTHER))
    ics = invite_calendar(meeting, method="REQUEST", organiser=ISU, attendees=meeting.attendees, now=NOW)
    url = f"ccminvite://127.0.0.1:{smtp_server.port}?from={ISU.email}"
    assert send(url, ics.decode(), title="Invitation: 14MSP")
    (message,) = smtp_server.messages
    text, calendar, method = itip_parts(message)
    assert method == "REQUEST" == str(calendar["method"])
    event = next(iter(calendar.walk("VEVENT")))
    assert str(event["organizer"]) == "mailto:isu@example.org"
    attendees = sorted(str(a) for a in event["attendee"])
    assert attendees == ["mailto:delegate@example.org", "mailto:other@example.org"]
    assert sorted(smtp_server.envelopes[0].rcpt_tos) == ["delegate@example.org", "other@example.org"]
    assert message["From"] == ISU.email and message["Subject"] == "Invitation: 14MSP"
    assert event.decoded("dtstart") == meeting.start
    assert event.decoded("dtstart").utcoffset() == dt.timedelta(hours=2)
    assert "Fourteenth Meeting of States Parties" in text


def test_update_keeps_the_uid_with_a_higher_sequence_and_cancel_says_cancel(smtp_server):
    url = f"ccminvite://127.0.0.1:{smtp_server.port}?from={ISU.email}&to={DELEGATE.email}"
    first = make_meeting(version=1)
    moved = make_meeting(version=2, start=(2026, 9, 15, 10, 0))
    cancelled = make_meeting(version=3, start=(2026, 9, 15, 10, 0), cancelled=True)
    for meeting, method in ((first, "REQUEST"), (moved, "REQUEST"), (cancelled, "CANCEL")):
        ics = invite_calendar(meeting, method=method, organiser=ISU, attendees=(DELEGATE,), now=NOW)
        assert send(url, ics.decode())
    readings = []
    for message in smtp_server.messages:
        _, calendar, method = itip_parts(message)
        event = next(iter(calendar.walk("VEVENT")))
        readings.append((method, str(calendar["method"]), str(event["uid"]), int(event["sequence"]),
                         str(event["status"])))
    uid = "CCM:MEETING:14msp@ccm-tracker"
    assert readings == [
        ("REQUEST", "REQUEST", uid, 1, "CONFIRMED"),
        ("REQUEST", "REQUEST", uid, 2, "CONFIRMED"),
        ("CANCEL", "CANCEL", uid, 3, "CANCELLED"),
    ]
    assert smtp_server.messages[2]["Subject"].startswith("Cancelled: ")


def test_the_calendar_can_come_as_an_ics_attachment_with_the_body_as_text(smtp_server):
    deadline = make_deadline()
    ics = invite_calendar(deadline, method="REQUEST", organiser=ISU, attendees=(DELEGATE,), now=NOW)
    subject, text = invite_text(deadline, "REQUEST")
    url = f"ccminvite://127.0.0.1:{smtp_server.port}?from={ISU.email}&method=REQUEST"
    attachment = AttachMemory(content=ics, name="invite.ics", mimetype="text/calendar")
    assert send(url, text, title=subject, attach=[attachment])
    body, calendar, method = itip_parts(smtp_server.messages[0])
    assert method == "REQUEST"
    assert body.strip().splitlines() == text.strip().splitlines()
    event = next(iter(calendar.walk("VEVENT")))
    assert event.decoded("dtstart") == dt.date(2026, 4, 30)


def test_method_in_url_must_match_the_calendar_or_nothing_is_sent(smtp_server):
    ics = invite_calendar(make_meeting(), method="CANCEL", organiser=ISU, attendees=(DELEGATE,), now=NOW)
    url = f"ccminvite://127.0.0.1:{smtp_server.port}?from={ISU.email}&method=REQUEST"
    assert not send(url, ics.decode())
    assert not send(f"ccminvite://127.0.0.1:{smtp_server.port}?from={ISU.email}", "not a calendar")
    assert smtp_server.messages == []


def test_invite_needs_a_known_method_and_an_attendee():
    with pytest.raises(InviteError, match="PUBLISH"):
        invite_calendar(make_meeting(), method="PUBLISH", organiser=ISU, attendees=(DELEGATE,), now=NOW)
    with pytest.raises(InviteError, match="attendee"):
        invite_calendar(make_meeting(), method="REQUEST", organiser=ISU, attendees=(), now=NOW)


def test_message_id_is_the_same_for_the_same_invite():
    ics = invite_calendar(make_meeting(), method="REQUEST", organiser=ISU, attendees=(DELEGATE,), now=NOW)
    build = lambda: invite_message(ics, sender=ISU.email, recipients=[DELEGATE.email],
                                   subject="s", text="t", now=NOW)
    assert build()["Message-ID"] == build()["Message-ID"]
