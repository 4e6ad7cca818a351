"""Outbox hygiene: a kill is not an attempt, a heartbeat keeps a live claim and lets a dead
one go after a short lease, and failed rows can be listed and requeued."""

import datetime as dt
import threading
import time

from aiosmtpd.controller import Controller
from sqlalchemy import update
from sqlmodel import select
from typer.testing import CliRunner

from cli.app import app
from models.db import get_engine, session_scope
from models.reminders import Reminder
from notifications import dispatch as dispatch_module
from notifications.outbox import Group, claim, reclaim_stale
from notifications.planning import plan_reminders
from notifications.policy import ReminderPolicy
from notifications.service import run_reminders
from tests.conftest import Gate, SmtpInbox, free_port
from tests.reminders.factories import NOW, make_obligation, make_recipient, smtp_url

AS_OF = dt.date(2026, 3, 2)
POLICY = ReminderPolicy()
LEASE = dt.timedelta(minutes=POLICY.sending_lease_minutes)


class Busy(SmtpInbox):
    async def handle_DATA(self, server, session, envelope):
        return "421 4.3.2 try again later"


def _row(url):
    with session_scope(url) as session:
        [row] = session.exec(select(Reminder)).all()
        return row


def _die_holding_a_claim(url, now):
    """What a SIGKILLed dispatcher leaves: its claim committed, no outcome, no more beats."""
    with get_engine(url).connect() as connection:
        claimed = claim(connection=connection, groups=[Group("reminder", "alice")], as_of=AS_OF, now=now)
        connection.commit()
    assert claimed


def test_four_kills_then_a_busy_server_leave_the_row_pending_not_failed(database_url, configure):
    inbox, port = Busy(), free_port()
    server = Controller(inbox, hostname="127.0.0.1", port=port)
    server.start()
    try:
        settings = configure({"alice": smtp_url(port, "alice@example.org")})
        with session_scope(database_url) as session:
            make_obligation(session, state="AFG")
            make_recipient(session, "alice")
            plan_reminders(session=session, as_of=AS_OF, policy=POLICY, now=NOW)
        now = NOW
        for _ in range(4):
            _die_holding_a_claim(database_url, now)
            now += LEASE + dt.timedelta(seconds=1)
            with session_scope(database_url) as session:
                assert reclaim_stale(session=session, now=now, lease=LEASE) == 1
            assert (_row(database_url).state, _row(database_url).attempts) == ("pending", 0)
        report = run_reminders(as_of=AS_OF, settings=settings, policy=POLICY, clock=lambda: now)
    finally:
        server.stop()
    row = _row(database_url)
    assert report.dispatch.count("pending") == 1
    assert (row.state, row.attempts) == ("pending", 1)
    assert "SMTP 421" in row.last_error


def test_a_claim_with_a_fresh_heartbeat_is_kept_and_one_without_is_reclaimed_after_the_lease(database_url):
    with session_scope(database_url) as session:
        make_obligation(session, state="AFG")
        make_recipient(session, "alice")
        plan_reminders(session=session, as_of=AS_OF, policy=POLICY, now=NOW)
    _die_holding_a_claim(database_url, NOW)
    later = NOW + dt.timedelta(minutes=30)  # claimed long ago ...
    table = Reminder.__table__
    with session_scope(database_url) as session:
        session.execute(update(table).values(heartbeat_at=later - dt.timedelta(seconds=20)))
    with session_scope(database_url) as session:  # ... but it beat 20 s ago: alive
        assert reclaim_stale(session=session, now=later, lease=LEASE) == 0
    with session_scope(database_url) as session:  # no beat for the lease: dead
        assert reclaim_stale(session=session, now=later + LEASE, lease=LEASE) == 1


def test_a_running_dispatcher_renews_its_heartbeat_while_a_send_is_slow(database_url, configure, monkeypatch):
    monkeypatch.setattr(dispatch_module, "HEARTBEAT_SECONDS", 0.2)
    gate, port = Gate(), free_port()
    server = Controller(gate, hostname="127.0.0.1", port=port)
    server.start()
    names = ("alice", "bob")
    settings = configure({n: smtp_url(port, f"{n}@example.org") for n in names})
    with session_scope(database_url) as session:
        make_obligation(session, state="AFG")
        for name in names:
            make_recipient(session, name)
    worker = threading.Thread(target=run_reminders, kwargs={
        "as_of": AS_OF, "settings": settings, "policy": POLICY, "today": AS_OF})
    worker.start()
    try:
        assert gate.second_arrived.wait(timeout=30)  # bob's digest is held by the server

        def bob_beat():
            with session_scope(database_url) as session:
                return session.exec(select(Reminder).where(Reminder.recipient == "bob")).one().heartbeat_at

        first = bob_beat()
        time.sleep(0.8)
        assert bob_beat() > first
    finally:
        gate.release.set()
        worker.join(timeout=30)
        server.stop()
    assert len(gate.messages) == 2


def test_outbox_list_shows_failed_rows_with_reasons_and_retry_requeues_them(database_url, configure):
    runner = CliRunner()
    settings = configure({"alice": smtp_url(free_port(), "alice@example.org")})
    with session_scope(database_url) as session:
        make_obligation(session, state="AFG")
        make_recipient(session, "alice")
    run_reminders(as_of=AS_OF, settings=settings, policy=ReminderPolicy(retry_backoff_minutes=()),
                  clock=lambda: NOW)
    listed = runner.invoke(app, ["outbox", "list", "--format", "json"])
    assert listed.exit_code == 0, listed.output
    assert '"state": "failed"' in listed.output and "connection refused" in listed.output
    retried = runner.invoke(app, ["outbox", "retry", "--recipient", "alice"])
    assert retried.exit_code == 0 and "1 failed row(s) back to pending" in retried.output
    assert (_row(database_url).state, _row(database_url).attempts) == ("pending", 0)
    again = runner.invoke(app, ["outbox", "retry"])
    assert again.exit_code == 1 and "no failed row matches" in again.output
