"""Scale-out, end to end: the Prefect server on PostgreSQL (a fresh, randomly named database,
dropped afterwards), the tracker on PostgreSQL, and on the one pool two process workers (queue
`default`) and two in-process runners (queue `quick`, `ccm-tracker ops runner`), all of them
knowing the tracker only through the pool's job variables (`ccm-tracker ops pool`). A burst
of 20 facts for 20 States gives 20 completed rescans, one per State, shared by the two
runners; then two dispatch runs at once deliver each reminder once.

Two runners rather than two process workers for the rescans: a process worker starts a new
Python process per run (~9 s each on 2 busy cores), which made this test take 4 minutes; the
claim the server arbitrates is the same. Needs CCM_TEST_POSTGRES_URL (skipped without it).
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from collections import Counter
from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import SmtpInbox
from tests.flows import prefect_stack as stack
from tests.reminders.factories import smtp_url, write_apprise_config

pytestmark = [pytest.mark.integration, pytest.mark.slow]
POSTGRES_URL = os.environ.get("CCM_TEST_POSTGRES_URL")
BURST = 20


@pytest.fixture
def postgres_databases() -> Iterator[tuple[str, str]]:
    """(Prefect's asyncpg URL, the tracker's psycopg URL): two new random databases."""
    if not POSTGRES_URL:
        pytest.skip("CCM_TEST_POSTGRES_URL is not set")
    base = make_url(POSTGRES_URL)
    suffix = secrets.token_hex(4)
    names = [f"ccm_scale_prefect_{suffix}", f"ccm_scale_tracker_{suffix}"]
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for name in names:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    yielded_tracker = base.set(drivername="postgresql+psycopg", database=names[1]).render_as_string(
        hide_password=False)
    try:
        yield (
            base.set(drivername="postgresql+asyncpg", database=names[0]).render_as_string(hide_password=False),
            yielded_tracker,
        )
    finally:
        from models.db import forget_engines, get_engine

        get_engine(yielded_tracker).dispose()  # this process's pooled connections first
        forget_engines()
        with admin.connect() as conn:
            for name in names:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_twenty_facts_on_two_workers_give_twenty_rescans_and_each_reminder_once(
    postgres_databases, tmp_path, monkeypatch
):
    from sqlmodel import select

    from flows.events import announce_fact, state_resource
    from models.db import session_scope
    from models.registry import record_report
    from models.reminders import Reminder
    from models.tables import State

    prefect_url, tracker_url = postgres_databases
    inbox = SmtpInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=stack.free_port())
    controller.start()
    try:
        config = write_apprise_config(tmp_path / "apprise.yaml",
                                      {"isu": smtp_url(controller.port, "isu@example.org")})
        settings = {"CCM_DATABASE_URL": tracker_url, "CCM_APPRISE_CONFIG": str(config),
                    "CCM_OUTBOX_DIR": str(tmp_path / "outbox")}
        with stack.prefect_server(tmp_path / "prefect", database_url=prefect_url) as server:
            tracker_env = server.env(**settings)
            stack.run([str(stack.BIN / "ccm-tracker"), "init"], tracker_env)
            stack.run([str(stack.BIN / "ccm-tracker"), "ops", "pool"], tracker_env)
            # the workers and runners know nothing of the tracker: the pool's job variables do
            runners = [stack.start([str(stack.BIN / "ccm-tracker"), "ops", "runner"], server.env(),
                                   tmp_path / f"r{i}.log") for i in (1, 2)]
            try:
                with stack.worker(server, tmp_path / "w1.log", name="worker-1", queue="default"), \
                        stack.worker(server, tmp_path / "w2.log", name="worker-2", queue="default"):
                    monkeypatch.setenv("PREFECT_API_URL", server.api_url)
                    monkeypatch.setenv("CCM_DATABASE_URL", tracker_url)
                    with session_scope(tracker_url) as session:
                        parties = session.exec(select(State.iso3).where(
                            State.deposit_date.is_not(None)).order_by(State.iso3)).all()[:BURST]
                    for iso3 in parties:
                        with session_scope(tracker_url) as session:
                            record_report(session=session, iso3=iso3, period=None,
                                          received_on=dt.date(2026, 1, 5), source="scale-out test",
                                          actor="test")
                        sent = announce_fact(resource=state_resource(iso3),
                                             what="initial report received 2026-01-05",
                                             payload={"iso3": iso3})
                        assert sent.delivered, sent.reason

                    def explain() -> str:
                        return "\n".join((tmp_path / f).read_text()[-2000:]
                                         for f in ("w1.log", "w2.log", "r1.log", "r2.log"))

                    def all_rescanned() -> list[dict] | None:
                        runs = server.runs("state-rescan")
                        for run in runs:
                            assert run["state"]["type"] not in ("FAILED", "CRASHED"), run["state"]
                        done = [r for r in runs if r["state"]["type"] == "COMPLETED"]
                        return runs if len(done) >= BURST else None

                    runs = stack.wait_for(all_rescanned, what=f"{BURST} completed rescans",
                                          explain=explain, seconds=600)
                    assert Counter(tuple(r["parameters"]["states"]) for r in runs) == {
                        (state_resource(iso3),): 1 for iso3 in parties}
                    assert {r["name"] for r in runs} == {f"rescan {iso3}" for iso3 in parties}
                    assert {r["work_queue_name"] for r in runs} == {"quick"}
                    # run by the runners (no process of their own), not by the process workers
                    assert {r["infrastructure_pid"] for r in runs} == {None}

                    dispatch = server.deployment("dispatch-reminders")
                    created = [server.api("POST", f"/deployments/{dispatch['id']}/create_flow_run",
                                          {"parameters": {"as_of": "2026-11-30"}}) for _ in range(2)]

                    def both_finished() -> list[str] | None:
                        states = [server.api("GET", f"/flow_runs/{c['id']}")["state"]["type"]
                                  for c in created]
                        done = [s for s in states if s in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED")]
                        return states if len(done) == len(created) else None

                    assert stack.wait_for(both_finished, what="the two dispatch runs",
                                          explain=explain, seconds=300) == ["COMPLETED", "COMPLETED"]
            finally:
                for runner in runners:
                    stack.stop(runner, interrupts=1)
            logs = [(tmp_path / f"r{i}.log").read_text() for i in (1, 2)]
            assert all("serving queue 'quick' of pool 'ccm-pool'" in log for log in logs)
        with session_scope(tracker_url) as session:
            rows = session.exec(select(Reminder)).all()
        assert rows and {r.state for r in rows} == {"sent"}
        assert Counter(m["To"] for m in inbox.messages) == {"isu@example.org": 1}  # one digest
    finally:
        controller.stop()
