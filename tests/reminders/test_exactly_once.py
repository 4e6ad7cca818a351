"""Never twice, never lost: concurrent dispatchers, and a dispatcher killed mid-send."""

import datetime as dt
import os
import signal
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
from tests.conftest import Gate, free_port
from tests.reminders.factories import NOW, digest_rows, make_obligation, make_recipient, smtp_url

AS_OF = dt.date(2026, 3, 2)
POLICY = ReminderPolicy()
ROOT = Path(__file__).resolve().parents[2]


def _plan(url):
    with session_scope(url) as session:
        return plan_reminders(session=session, as_of=AS_OF, policy=POLICY, now=NOW).new_rows


def _delivered_items(messages):
    """(recipient address, outbox row) for every item in every digest received."""
    return [(message["To"], row) for message in messages for row in digest_rows(message)]


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


class StoppedDispatcher:
    """alice, bob and carol each have one reminder; a dispatcher process sends alice's digest,
    then the server holds its answer to bob's while the test stops the process."""

    def __init__(self, database_url, configure) -> None:
        self.database_url = database_url
        self.gate = Gate()
        port = free_port()
        self.controller = Controller(self.gate, hostname="127.0.0.1", port=port)
        self.controller.start()
        names = ["alice", "bob", "carol"]
        self.settings = configure({n: smtp_url(port, f"{n}@example.org") for n in names})
        with session_scope(database_url) as session:
            make_obligation(session, state="AFG")
            for name in names:
                make_recipient(session, name)
        assert _plan(database_url) == 3

    def stop_at_bob(self, stop) -> int:
        """Start the dispatcher, call ``stop(process)`` once bob's digest is on the server,
        then let the server answer; returns the process's exit code."""
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        process = subprocess.Popen([sys.executable, "-c", DISPATCHER], env=env, cwd=os.getcwd())
        try:
            assert self.gate.second_arrived.wait(timeout=60), "the dispatcher never reached bob"
            stop(process)
            self.gate.release.set()
            return process.wait(timeout=30)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=30)

    def rows(self):
        with session_scope(self.database_url) as session:
            return {r.recipient: (r.state, r.attempts) for r in session.exec(select(Reminder)).all()}

    def states(self):
        return {name: state for name, (state, _) in self.rows().items()}

    def dispatch(self, **kwargs):
        channel = AppriseChannel(self.settings.apprise_config, self.settings.outbox_dir)
        return dispatch(url=self.database_url, as_of=AS_OF, policy=POLICY, channel=channel, **kwargs)

    def received(self):
        return Counter(m["To"] for m in self.gate.messages)

    def close(self) -> None:
        self.gate.release.set()
        self.controller.stop()


def test_a_dispatcher_killed_mid_send_is_finished_by_the_next_run_with_one_duplicate_at_most(
    database_url, configure
):
    """SIGKILL (or a power cut) allows ONE duplicate per killed dispatcher: the digest in
    flight, if the server accepted it before the process died (we cannot learn that it did).
    Here the kill comes after the server stored bob's digest, so bob gets it twice; alice (sent
    and recorded before the kill) and carol (claimed in the same batch, never sent) once."""
    run = StoppedDispatcher(database_url, configure)
    try:
        run.stop_at_bob(lambda process: process.kill())
        assert run.states() == {"alice": "sent", "bob": "sending", "carol": "sending"}

        # Within the lease, "sending" rows may still belong to a live dispatcher: left alone.
        run.dispatch()
        assert run.states() == {"alice": "sent", "bob": "sending", "carol": "sending"}
        later = utc_now() + dt.timedelta(minutes=POLICY.sending_lease_minutes + 1)
        result = run.dispatch(clock=lambda: later)
        assert result.reclaimed == 2
        assert run.states() == {"alice": "sent", "bob": "sent", "carol": "sent"}
        assert run.received() == {"alice@example.org": 1, "bob@example.org": 2, "carol@example.org": 1}
        with session_scope(database_url) as session:  # the kill was not counted as an attempt
            assert {(r.state, r.attempts) for r in session.exec(select(Reminder)).all()} == {("sent", 1)}
    finally:
        run.close()


def test_a_dispatcher_asked_to_stop_finishes_the_send_in_flight_and_leaves_no_duplicate(
    database_url, configure
):
    """SIGTERM (kill, systemd, a supervisor): the dispatcher
    waits for the server's answer about bob, records it, gives carol back and only then
    stops, by the same signal. The next run, at once (no lease to wait for), sends carol."""
    run = StoppedDispatcher(database_url, configure)
    try:
        code = run.stop_at_bob(lambda process: process.send_signal(signal.SIGTERM))
        assert code == -signal.SIGTERM  # it still stopped, and by the signal it was sent
        assert run.rows() == {"alice": ("sent", 1), "bob": ("sent", 1), "carol": ("pending", 0)}

        result = run.dispatch()
        assert result.reclaimed == 0 and result.count("sent") == 1
        assert run.rows() == {"alice": ("sent", 1), "bob": ("sent", 1), "carol": ("sent", 1)}
        assert run.received() == {"alice@example.org": 1, "bob@example.org": 1, "carol@example.org": 1}
    finally:
        run.close()
