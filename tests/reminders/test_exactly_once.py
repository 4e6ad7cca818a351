"""Never twice, never lost: concurrent dispatchers, and a dispatcher killed mid-send."""

import asyncio
import datetime as dt
import os
import re
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

from aiosmtpd.controller import Controller
from sqlmodel import select

from models.db import session_scope
from models.reminders import Reminder
from notifications.channels.apprise_channel import AppriseChannel
from notifications.dispatch import dispatch, utc_now
from notifications.planning import plan_reminders
from notifications.policy import ReminderPolicy
from tests.conftest import free_port
from tests.reminders.factories import NOW, make_obligation, make_recipient, smtp_url

AS_OF = dt.date(2026, 3, 2)
POLICY = ReminderPolicy()
ROOT = Path(__file__).resolve().parents[2]


def _plan(url):
    with session_scope(url) as session:
        return plan_reminders(session=session, as_of=AS_OF, policy=POLICY, now=NOW).new_rows


def _delivered_items(messages):
    """(recipient address, obligation key) for every item in every digest received."""
    found = []
    for message in messages:
        body = message.get_body(preferencelist=("plain", "html")).get_content()
        found += [(message["To"], key) for key in re.findall(r"key: (\S+)", body)]
    return found


def test_two_dispatchers_at_once_deliver_every_reminder_exactly_once(database_url, smtp_server, configure):
    names = [f"coord{i:02d}" for i in range(30)]
    settings = configure({n: smtp_url(smtp_server.port, f"{n}@example.org") for n in names})
    with session_scope(database_url) as session:
        for iso3 in ("AFG", "ALB", "AUT"):
            make_obligation(session, state=iso3)
        for name in names:
            make_recipient(session, name)
    assert _plan(database_url) == 90
    start = threading.Barrier(2)
    results = []

    def run():
        channel = AppriseChannel(settings.apprise_config, settings.outbox_dir)
        start.wait()
        results.append(dispatch(url=database_url, as_of=AS_OF, policy=POLICY, channel=channel))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    items = _delivered_items(smtp_server.messages)
    assert len(items) == 90
    assert set(Counter(items).values()) == {1}
    assert sum(r.count("sent") for r in results) == 90
    with session_scope(database_url) as session:
        rows = session.exec(select(Reminder)).all()
    assert {(r.state, r.attempts) for r in rows} == {("sent", 1)}


class Gate:
    """An SMTP server that keeps each message, and holds its answer to the second one."""

    def __init__(self) -> None:
        import email
        from email import policy

        self.parse = lambda raw: email.message_from_bytes(raw, policy=policy.default)
        self.messages = []
        self.second_arrived = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(self.parse(envelope.original_content or envelope.content))
        if len(self.messages) == 2:
            self.second_arrived.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
        return "250 accepted"


DISPATCHER = """
import datetime as dt
from notifications.channels.apprise_channel import AppriseChannel
from notifications.dispatch import dispatch
from notifications.policy import ReminderPolicy
from settings import get_settings
s = get_settings()
dispatch(url=s.database_url, as_of=dt.date(2026, 3, 2), policy=ReminderPolicy(),
         channel=AppriseChannel(s.apprise_config, s.outbox_dir))
"""


def test_a_dispatcher_killed_mid_send_is_finished_by_the_next_run_with_one_duplicate_at_most(
    database_url, configure
):
    """The design allows at most ONE duplicate per killed dispatcher: the digest in flight,
    if the server accepted it before the process died (we cannot learn that it did). Here
    the kill comes after the server stored bob's digest, so bob gets it twice; alice (sent
    and recorded before the kill) and carol (never claimed by the killed process) once."""
    gate = Gate()
    port = free_port()
    controller = Controller(gate, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        names = ["alice", "bob", "carol"]
        settings = configure({n: smtp_url(port, f"{n}@example.org") for n in names})
        with session_scope(database_url) as session:
            make_obligation(session, state="AFG")
            for name in names:
                make_recipient(session, name)
        assert _plan(database_url) == 3
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        process = subprocess.Popen([sys.executable, "-c", DISPATCHER], env=env, cwd=os.getcwd())
        try:
            assert gate.second_arrived.wait(timeout=60), "the dispatcher never reached bob"
        finally:
            process.kill()
            process.wait(timeout=30)
        gate.release.set()

        def states():
            with session_scope(database_url) as session:
                return {r.recipient: r.state for r in session.exec(select(Reminder)).all()}

        assert states() == {"alice": "sent", "bob": "sending", "carol": "pending"}

        channel = AppriseChannel(settings.apprise_config, settings.outbox_dir)
        # Within the lease, the "sending" row may still belong to a live dispatcher: left alone.
        dispatch(url=database_url, as_of=AS_OF, policy=POLICY, channel=channel)
        assert states() == {"alice": "sent", "bob": "sending", "carol": "sent"}
        later = utc_now() + dt.timedelta(minutes=POLICY.sending_lease_minutes + 1)
        result = dispatch(url=database_url, as_of=AS_OF, policy=POLICY, channel=channel,
                          clock=lambda: later)
        assert result.reclaimed == 1
        assert states() == {"alice": "sent", "bob": "sent", "carol": "sent"}
        received = Counter(m["To"] for m in gate.messages)
        assert received == {"alice@example.org": 1, "bob@example.org": 2, "carol@example.org": 1}
    finally:
        gate.release.set()
        controller.stop()
