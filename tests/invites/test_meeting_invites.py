"""Meeting invites go through the notification outbox and Apprise to a real SMTP server
(aiosmtpd on loopback) as RFC 6047 iTIP: REQUEST, an update, then CANCEL; never twice."""

import datetime as dt

from icalendar import Calendar
from sqlmodel import Session, select
from typer.testing import CliRunner

from cli.app import app
from models.db import get_engine
from models.reminders import Reminder
from settings import reset_settings_cache

runner = CliRunner()


def invoke(*args: str, code: int = 0):
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, result.output
    return result


def configure(tmp_path, monkeypatch, smtp_server) -> None:
    config = tmp_path / "apprise.yml"
    config.write_text(
        "urls:\n"
        f'  - "ccminvite://{smtp_server.host}:{smtp_server.port}?from=isu@example.org":\n'
        "      - tag: costa-rica-invite\n"
        f'  - "mailto://{smtp_server.host}:{smtp_server.port}?from=isu@example.org&to=cr@example.org":\n'
        "      - tag: costa-rica\n"
    )
    monkeypatch.setenv("CCM_APPRISE_CONFIG", str(config))
    monkeypatch.setenv("CCM_INVITE_ORGANISER", "CCM ISU <isu@example.org>")
    reset_settings_cache()
    invoke("init", "--no-registry")
    # the minutes' meetings joined to a database treated as real, so invites reach the
    # configured (loopback) recipients: a demo database of its own never reaches them
    invoke("demo", "load", "--into-real")
    invoke("recipients", "add", "transparency", "--tag", "costa-rica", "--email", "cr@example.org")


def invitation(message) -> Calendar:
    assert message.get_content_type() == "multipart/alternative"
    part = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    calendar = Calendar.from_ical(part.get_content())
    assert part.get_param("method") == str(calendar["METHOD"])  # RFC 6047 §2.4
    return calendar


def test_a_meeting_invite_is_sent_once_then_updated_then_cancelled(database_url, tmp_path, monkeypatch, smtp_server):
    configure(tmp_path, monkeypatch, smtp_server)

    invoke("invite", "cc-2017-01-25")
    assert len(smtp_server.messages) == 1
    first = invitation(smtp_server.messages[0])
    event = next(iter(first.walk("VEVENT")))
    assert (str(first["METHOD"]), int(event["SEQUENCE"])) == ("REQUEST", 1)
    assert str(event["ATTENDEE"]).lower() == "mailto:cr@example.org"
    assert str(event["ORGANIZER"]).lower() == "mailto:isu@example.org"
    start = event.decoded("DTSTART")
    assert (start.hour, start.utcoffset()) == (14, dt.timedelta(hours=1))

    again = invoke("invite", "cc-2017-01-25")
    assert "already queued for transparency" in again.output
    assert len(smtp_server.messages) == 1  # never twice

    invoke("meetings", "move", "cc-2017-01-25", "--start", "2017-01-26T14:00", "--end", "2017-01-26T15:30")
    invoke("invite", "cc-2017-01-25")
    update = next(iter(invitation(smtp_server.messages[1]).walk("VEVENT")))
    assert str(update["UID"]) == str(event["UID"])
    assert int(update["SEQUENCE"]) == 2
    assert update.decoded("DTSTART").day == 26

    invoke("meetings", "cancel", "cc-2017-01-25")
    invoke("invite", "cc-2017-01-25")
    cancel = invitation(smtp_server.messages[2])
    assert str(cancel["METHOD"]) == "CANCEL"
    assert int(next(iter(cancel.walk("VEVENT")))["SEQUENCE"]) == 3

    with Session(get_engine(database_url)) as session:
        states = session.exec(select(Reminder.stage, Reminder.state).where(Reminder.message_kind == "invite")).all()
    assert sorted(states) == [("invite:CANCEL", "sent"), ("invite:REQUEST", "sent"), ("invite:REQUEST", "sent")]


def test_an_invite_with_the_smtp_server_down_stays_in_the_outbox_with_the_reason(database_url, tmp_path, monkeypatch, smtp_server):
    configure(tmp_path, monkeypatch, smtp_server)
    config = tmp_path / "apprise.yml"
    from tests.conftest import free_port

    config.write_text(config.read_text().replace(f":{smtp_server.port}", f":{free_port()}"))
    result = invoke("invite", "cc-2017-01-25", code=0)
    assert "to retry 1" in result.output
    with Session(get_engine(database_url)) as session:
        row = session.exec(select(Reminder).where(Reminder.message_kind == "invite")).one()
    assert row.state == "pending" and row.attempts == 1
    assert "refused" in row.last_error.lower() or "connect" in row.last_error.lower(), row.last_error


def test_inviting_a_recipient_without_an_email_is_refused_and_nothing_is_queued(database_url, tmp_path, monkeypatch, smtp_server):
    configure(tmp_path, monkeypatch, smtp_server)
    invoke("recipients", "add", "slack-room", "--tag", "slack")
    result = invoke("invite", "cc-2017-01-25", "--recipient", "slack-room", code=1)
    assert "slack-room has no email" in result.output
    with Session(get_engine(database_url)) as session:
        assert session.exec(select(Reminder)).all() == []


def test_a_meeting_known_only_by_month_cannot_be_invited_to(database_url, tmp_path, monkeypatch, smtp_server):
    configure(tmp_path, monkeypatch, smtp_server)
    invoke("meetings", "add", "15msp", "--title", "Fifteenth Meeting of States Parties", "--kind", "msp", "--month", "2027-09",
           "--source", "CC minutes")
    result = invoke("invite", "15msp", code=1)
    assert "its date is not fixed yet" in result.output


def test_a_deadline_can_be_sent_as_an_all_day_invite_on_request(database_url, tmp_path, monkeypatch, smtp_server):
    configure(tmp_path, monkeypatch, smtp_server)
    from sqlmodel import Session

    from models.db import get_engine
    from models.obligations import compute_obligations, sync_obligations
    from settings import get_settings
    with Session(get_engine(database_url)) as session:  # `demo load` loaded the registry
        computed = compute_obligations(session=session, as_of=dt.date(2026, 1, 1), settings=get_settings())
        sync_obligations(session=session, computed=computed, as_of=dt.date(2026, 1, 1), tracking_since=None)
        session.commit()
    # A deadline already past is refused unless forced (an invite to a day gone by).
    refused = invoke("invite", "--deadline", "CCM:AFG:art7_annual:2025", code=1)
    assert "due date 2026-04-30 is already past" in refused.output and "--force" in refused.output
    assert smtp_server.messages == []
    invoke("invite", "--deadline", "CCM:AFG:art7_annual:2025", "--force")
    [message] = smtp_server.messages
    event = next(iter(invitation(message).walk("VEVENT")))
    assert event.decoded("DTSTART") == dt.date(2026, 4, 30)
    assert str(event["UID"]) == "CCM:AFG:art7_annual:2025@ccm-tracker"


def test_invite_needs_a_meeting_or_a_deadline(database_url, tmp_path, monkeypatch, smtp_server):
    configure(tmp_path, monkeypatch, smtp_server)
    assert "say what to invite to" in invoke("invite", code=2).output
