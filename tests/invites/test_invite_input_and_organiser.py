"""Invites: ORGANIZER is the sender from the config, titles with control characters are
refused at input, and an invite that cannot be written is a permanent failure."""

from icalendar import Calendar
from sqlmodel import Session, select

from models.db import get_engine
from models.reminders import Reminder
from settings import reset_settings_cache
from tests.invites.test_meeting_invites import configure, invitation, invoke


def test_organizer_is_the_configs_sender_when_no_organiser_is_set(
    database_url, tmp_path, monkeypatch, smtp_server
):
    configure(tmp_path, monkeypatch, smtp_server)
    monkeypatch.delenv("CCM_INVITE_ORGANISER")
    monkeypatch.setenv("CCM_EMAIL_FROM_NAME", "CCM ISU Geneva")
    reset_settings_cache()
    invoke("invite", "cc-2017-01-25")
    [message] = smtp_server.messages
    event = next(iter(invitation(message).walk("VEVENT")))
    assert str(event["ORGANIZER"]).lower() == "mailto:isu@example.org"  # replies reach the ISU
    assert str(event["ORGANIZER"].params["CN"]) == "CCM ISU Geneva"


def test_a_meeting_title_with_a_line_break_is_refused_and_nothing_is_queued(
    database_url, tmp_path, monkeypatch, smtp_server
):
    configure(tmp_path, monkeypatch, smtp_server)
    invoke("meetings", "add", "bad", "--title", "Ninth Meeting\r\nBcc: eve@example.org",
           "--kind", "msp", "--start", "2030-09-02", "--end", "2030-09-04", "--source", "s")
    result = invoke("invite", "bad", code=1)
    assert "the title 'Ninth Meeting\\r\\nBcc: eve@example.org' holds a control character" in result.output
    with Session(get_engine(database_url)) as session:
        assert session.exec(select(Reminder)).all() == []
    assert smtp_server.messages == []


def test_an_invite_that_cannot_be_written_fails_for_good_not_retried(
    database_url, tmp_path, monkeypatch, smtp_server
):
    """A calendar with no METHOD reaches the ccminvite:// plugin: a permanent error."""
    import datetime as dt

    from notifications.dispatch import dispatch
    from notifications.outbox import Attachment, OutboxMessage, enqueue
    from notifications.policy import ReminderPolicy
    from notifications.service import channel_from
    from settings import get_settings

    configure(tmp_path, monkeypatch, smtp_server)
    calendar = Calendar()
    calendar.add("prodid", "-//test//")
    calendar.add("version", "2.0")
    now = dt.datetime.now(dt.UTC)
    with Session(get_engine(database_url)) as session:
        enqueue(session=session, now=now, messages=[OutboxMessage(
            kind="invite", key="CCM:MEETING:x", version=1, stage="invite:REQUEST",
            recipient="transparency", send_on=now.date(), subject="x", body="x",
            attachment=Attachment("invite.ics", calendar.to_ical()))])
        session.commit()
    settings = get_settings()
    result = dispatch(url=database_url, as_of=now.date(), policy=ReminderPolicy(),
                      channel=channel_from(settings), settings=settings)
    [delivery] = result.deliveries
    assert delivery.outcome == "failed" and "cannot be sent as written" in delivery.error
    with Session(get_engine(database_url)) as session:
        [row] = session.exec(select(Reminder)).all()
    assert (row.state, row.attempts, row.failure_kind) == ("failed", 1, "permanent")


def test_an_invite_to_a_plain_default_mailto_url_arrives_as_a_real_invite_with_a_text_part(
    database_url, tmp_path, monkeypatch, smtp_server
):
    """No ccminvite:// URL: the recipient's own default-format mailto:// (the old fallback sent
    the text unescaped as HTML with the .ics as a plain attachment)."""
    configure(tmp_path, monkeypatch, smtp_server)
    config = tmp_path / "apprise.yml"
    config.write_text(
        "urls:\n"
        f'  - "mailto://{smtp_server.host}:{smtp_server.port}?from=isu@example.org&to=cr@example.org":\n'
        "      - tag: costa-rica\n"
    )
    invoke("invite", "cc-2017-01-25")
    [message] = smtp_server.messages
    calendar = invitation(message)  # multipart/alternative, text/calendar; method=REQUEST
    assert str(calendar["METHOD"]) == "REQUEST"
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert text.startswith("You are invited.") and "\nWhen: " in text
    assert message["To"] == "cr@example.org"
