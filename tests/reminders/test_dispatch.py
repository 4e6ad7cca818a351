"""Dispatch against real parts: aiosmtpd on loopback, a json:// webhook on loopback, the
local outbox plugin, and SMTP servers that are down or refuse."""

import datetime as dt
import email
import email.policy
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import ClassVar

import pytest
from sqlmodel import select

from models.db import session_scope
from models.reminders import Reminder
from notifications.channels.apprise_channel import AppriseChannel
from notifications.policy import ReminderPolicy
from notifications.service import run_reminders
from tests.conftest import free_port
from tests.reminders.factories import NOW, digest_keys, make_obligation, make_recipient, smtp_url

AS_OF = dt.date(2026, 3, 2)
POLICY = ReminderPolicy()


class Clock:
    def __init__(self, now: dt.datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


def _seed(url, recipients=("alice", "bob")):
    with session_scope(url) as session:
        make_obligation(session, state="AFG", note="Art. 7(2): annual transparency report covering 2025")
        make_obligation(session, state="ALB")
        make_obligation(session, state="AUT", due=dt.date(2026, 2, 20), status="overdue")
        for name in recipients:
            make_recipient(session, name)


def _states(url):
    with session_scope(url) as session:
        rows = session.exec(select(Reminder).order_by(Reminder.recipient, Reminder.obligation_key)).all()
        return [(r.recipient, r.obligation_key, r.state, r.attempts, r.last_error) for r in rows]


def test_each_recipient_gets_one_digest_over_real_smtp_and_a_second_run_sends_nothing(
    database_url, smtp_server, configure
):
    settings = configure({
        "alice": smtp_url(smtp_server.port, "alice@example.org"),
        "bob": smtp_url(smtp_server.port, "bob@example.org"),
    })
    _seed(database_url)
    report = run_reminders(as_of=AS_OF, settings=settings, policy=POLICY, clock=Clock())
    assert report.plan.new_rows == 6
    assert report.dispatch.count("sent") == 6
    assert sorted(m["To"] for m in smtp_server.messages) == ["alice@example.org", "bob@example.org"]
    alice = next(m for m in smtp_server.messages if m["To"] == "alice@example.org")
    assert alice["Subject"] == "CCM deadlines: 1 overdue, 2 coming up (2026-03-02)"
    body = alice.get_body(preferencelist=("plain",)).get_content()
    assert "== 2025 annual transparency report (Art. 7(2)) ==" in body
    assert "- AFG: due 30 April 2026, in 59 days (Art. 7(2): annual transparency report covering 2025)." in body
    assert "- AUT: due 20 February 2026, 10 days late." in body
    assert sorted(digest_keys(alice, database_url)) == ["CCM:AFG:art7_annual:2025", "CCM:ALB:art7_annual:2025",
                                          "CCM:AUT:art7_annual:2025"]
    assert "CCM:" not in body and "ccm-tracker ack" not in body  # no internal keys, no commands
    assert {state for _, _, state, _, _ in _states(database_url)} == {"sent"}

    again = run_reminders(as_of=AS_OF, settings=settings, policy=POLICY, clock=Clock())
    assert again.plan.new_rows == 0 and again.dispatch.deliveries == []
    assert len(smtp_server.messages) == 2


class Hook(BaseHTTPRequestHandler):
    received: ClassVar[list] = []

    def do_POST(self):
        length = int(self.headers["Content-Length"])
        Hook.received.append(json.loads(self.rfile.read(length)))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def webhook():
    Hook.received = []
    server = HTTPServer(("127.0.0.1", free_port()), Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_a_json_webhook_on_loopback_receives_the_digest(database_url, webhook, configure):
    settings = configure({"alice": f"json://127.0.0.1:{webhook.server_port}/hook"})
    _seed(database_url, recipients=("alice",))
    run_reminders(as_of=AS_OF, settings=settings, policy=POLICY, clock=Clock())
    assert len(Hook.received) == 1
    assert Hook.received[0]["title"].startswith("CCM deadlines: 1 overdue, 2 coming up")
    message = Hook.received[0]["message"]
    assert "- ALB: due 30 April 2026, in 59 days." in message  # the text part, as text
    assert "<" not in message.replace("<url hidden>", "")


def test_with_smtp_down_rows_wait_with_the_reason_and_a_later_run_delivers_each_once(
    database_url, smtp_server, configure
):
    down = free_port()  # nothing listens here
    settings = configure({"alice": smtp_url(down, "alice@example.org")})
    _seed(database_url, recipients=("alice",))
    clock = Clock()
    first = run_reminders(as_of=AS_OF, settings=settings, policy=POLICY, clock=clock)
    assert first.dispatch.count("pending") == 3
    for _, _, state, attempts, error in _states(database_url):
        assert (state, attempts) == ("pending", 1)
        assert "connection refused" in error and "retry after 2026-03-02T07:05" in error
        assert "mailto" not in error and "alice@" not in error  # no URL in the record

    # Too early for the retry: nothing is claimed.
    clock.now = NOW + dt.timedelta(minutes=2)
    settings = configure({"alice": smtp_url(smtp_server.port, "alice@example.org")})
    assert run_reminders(as_of=AS_OF, settings=settings, policy=POLICY, clock=clock).dispatch.deliveries == []

    clock.now = NOW + dt.timedelta(minutes=6)
    run_reminders(as_of=AS_OF, settings=settings, policy=POLICY, clock=clock)
    run_reminders(as_of=AS_OF, settings=settings, policy=POLICY, clock=clock)
    assert len(smtp_server.messages) == 1
    assert [(s, a) for _, _, s, a, _ in _states(database_url)] == [("sent", 2)] * 3


def test_transient_failures_stop_after_the_last_backoff_and_say_so(database_url, configure):
    settings = configure({"alice": smtp_url(free_port(), "alice@example.org")})
    _seed(database_url, recipients=("alice",))
    policy = ReminderPolicy(retry_backoff_minutes=(1,))
    clock = Clock()
    run_reminders(as_of=AS_OF, settings=settings, policy=policy, clock=clock)
    clock.now += dt.timedelta(minutes=2)
    run_reminders(as_of=AS_OF, settings=settings, policy=policy, clock=clock)
    for _, _, state, attempts, error in _states(database_url):
        assert (state, attempts) == ("failed", 2)
        assert error.startswith("gave up after 2 attempts: email to 127.0.0.1: connection refused")


def test_a_refused_address_is_a_permanent_error_and_is_not_retried(database_url, configure):
    from aiosmtpd.controller import Controller

    class Refuse:
        async def handle_RCPT(self, server, session, envelope, address, options):
            return "550 5.1.1 no such mailbox"

    port = free_port()
    controller = Controller(Refuse(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings = configure({"alice": smtp_url(port, "alice@example.org")})
        _seed(database_url, recipients=("alice",))
        run_reminders(as_of=AS_OF, settings=settings, policy=POLICY, clock=Clock())
    finally:
        controller.stop()
    for _, _, state, attempts, error in _states(database_url):
        assert (state, attempts) == ("failed", 1)
        assert error.startswith("permanent: email to 127.0.0.1: recipient refused: "
                                "alice@example.org: 550 5.1.1 no such mailbox")


def test_a_tag_with_no_apprise_url_fails_permanently_and_only_for_that_recipient(
    database_url, smtp_server, configure
):
    settings = configure({"alice": smtp_url(smtp_server.port, "alice@example.org")})
    _seed(database_url, recipients=("alice", "bob"))
    report = run_reminders(as_of=AS_OF, settings=settings, policy=POLICY, clock=Clock())
    outcomes = {d.recipient: (d.outcome, d.error) for d in report.dispatch.deliveries}
    assert outcomes["alice"] == ("sent", "")
    assert outcomes["bob"][0] == "failed"
    assert "no Apprise URL is tagged 'bob'" in outcomes["bob"][1]
    assert len(smtp_server.messages) == 1


def test_with_nothing_configured_reminders_land_in_the_local_outbox_folder(
    database_url, configure, tmp_path
):
    settings = configure(None)
    _seed(database_url, recipients=("alice", "bob"))
    report = run_reminders(as_of=AS_OF, settings=settings, policy=POLICY, clock=Clock())
    assert report.dispatch.count("sent") == 6
    files = sorted((tmp_path / "outbox").glob("*.eml"))
    assert [f.name.split("-")[1] for f in files] == ["alice", "bob"]
    message = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    assert message["Subject"].startswith("CCM deadlines: 1 overdue, 2 coming up")
    assert message.get_content_type() == "multipart/alternative"


def test_a_missing_apprise_config_file_stops_the_run_before_anything_is_claimed(tmp_path):
    from notifications.channels.apprise_channel import ConfigurationError

    with pytest.raises(ConfigurationError, match="not a readable file"):
        AppriseChannel(tmp_path / "nope.yaml", tmp_path)


def test_an_invite_enqueued_through_the_outbox_is_sent_once_with_its_ics_attached(
    database_url, configure, tmp_path
):
    from notifications.outbox import Attachment, OutboxMessage, enqueue

    settings = configure(None)
    ics = b"BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n"
    invite = OutboxMessage(
        kind="invite", key="CCM:MEETING:14MSP", version=0, stage="invite:REQUEST",
        recipient="alice", send_on=AS_OF, subject="14MSP", body="You are invited",
        attachment=Attachment("14MSP.ics", ics, method="REQUEST"),
    )
    with session_scope(database_url) as session:
        make_recipient(session, "alice")
        assert enqueue(session=session, messages=[invite], now=NOW) == 1
        assert enqueue(session=session, messages=[invite], now=NOW) == 0
    run_reminders(as_of=AS_OF, settings=settings, policy=POLICY, clock=Clock())
    run_reminders(as_of=AS_OF, settings=settings, policy=POLICY, clock=Clock())
    [file] = list((tmp_path / "outbox").glob("*.eml"))
    message = email.message_from_bytes(file.read_bytes(), policy=email.policy.default)
    assert message["Subject"] == "14MSP"
    assert message.get_body(preferencelist=("plain",)).get_content().startswith("You are invited")
    [calendar] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert calendar.get_param("method") == "REQUEST" and calendar.get_content().encode() == ics
    assert [s for _, _, s, _, _ in _states(database_url)] == ["sent"]


def test_a_batch_whose_claim_grows_old_is_claimed_afresh_and_each_digest_goes_once(
    database_url, smtp_server, configure
):
    """Sends so slow that a batch's claim passes half the lease: the rest of the batch is
    given back and claimed again (never sent under a claim a reclaimer could take)."""
    names = ("alice", "bob", "carol")
    settings = configure({n: smtp_url(smtp_server.port, f"{n}@example.org") for n in names})
    _seed(database_url, recipients=names)
    step = dt.timedelta(minutes=POLICY.sending_lease_minutes / 2 + 1)
    ticks = iter(NOW + i * step for i in range(1000))  # every reading of the clock: +8.5 min

    report = run_reminders(as_of=AS_OF, settings=settings, policy=POLICY, clock=lambda: next(ticks))
    assert report.dispatch.released > 0
    assert report.dispatch.count("sent") == 9
    assert sorted(m["To"] for m in smtp_server.messages) == [f"{n}@example.org" for n in names]
    assert {(state, attempts) for _, _, state, attempts, _ in _states(database_url)} == {("sent", 1)}
