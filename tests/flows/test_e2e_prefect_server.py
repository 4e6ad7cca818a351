"""End to end against a real `prefect server`: deploy prefect.yaml, start a worker, record a
report through the CLI, and watch the triggered rescan mark the obligation met.

Every process is started in its own process group and stopped by the test (the worker needs a
second SIGINT, see STACK-NOTES). The server (module scope) gets its own PREFECT_HOME and
SQLite database in a temporary directory; each test starts its own worker, pointed at the
test's database (SQLite, and PostgreSQL when CCM_TEST_POSTGRES_URL is set).
"""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, text
from sqlmodel import select

from clock import today_in_geneva
from models.db import session_scope
from models.reminders import Reminder
from notifications.channels.apprise_channel import AppriseChannel
from notifications.dispatch import dispatch
from notifications.policy import ReminderPolicy
from tests.conftest import Gate, free_port
from tests.flows import prefect_stack as stack
from tests.flows.prefect_stack import BIN, POOL, REPO, PrefectServer
from tests.reminders.factories import (
    make_obligation,
    make_recipient,
    smtp_url,
    write_apprise_config,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow]

RUN_WAIT_SECONDS = 180


@pytest.fixture(scope="module")
def prefect_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrefectServer]:
    """A real `prefect server start` on a free loopback port, with the pool and deployments
    (tests/flows/prefect_stack.py, shared with the scale-out test and bench/flows.py)."""
    with stack.prefect_server(tmp_path_factory.mktemp("prefect-server")) as server:
        yield server


@pytest.fixture
def tracker_database(database_url: str) -> str:
    """The test's database, prepared the way an operator does it: `ccm-tracker init`."""
    stack.run([str(BIN / "ccm-tracker"), "init"], {**os.environ, "CCM_DATABASE_URL": database_url})
    return database_url


@contextmanager
def _worker(server: PrefectServer, log: Path, **env: str) -> Iterator[None]:
    environ = server.env(PREFECT_WORKER_QUERY_SECONDS="2", **env)
    process = stack.start([str(BIN / "prefect"), "worker", "start", "--pool", POOL], environ, log)
    try:
        yield
    finally:
        stack.stop(process, interrupts=2)


@pytest.fixture
def worker(prefect_server: PrefectServer, tracker_database: str, tmp_path: Path) -> Iterator[None]:
    with _worker(prefect_server, tmp_path / "worker.log", CCM_DATABASE_URL=tracker_database):
        yield


def test_deployments_carry_the_daily_schedule_the_trigger_and_the_limits(prefect_server):
    deployments = {
        d["name"]: d for d in prefect_server.api("POST", "/deployments/filter", {})
    }
    daily, rescan = deployments["daily-scan"], deployments["state-rescan"]
    [schedule] = daily["schedules"]
    assert (schedule["schedule"]["cron"], schedule["schedule"]["timezone"]) == (
        "15 6 * * *", "Europe/Zurich")
    assert rescan["global_concurrency_limit"]["limit"] == 4
    assert rescan["work_queue_name"] == "quick"
    assert daily["pull_steps"] == [
        {"prefect.deployments.steps.set_working_directory": {"directory": str(REPO)}}
    ]
    automations = {
        a["actions"][0]["deployment_id"]: a
        for a in prefect_server.api("POST", "/automations/filter", {})
    }
    trigger = automations[rescan["id"]]["trigger"]
    assert trigger["expect"] == ["ccm.fact.recorded"]
    assert trigger["for_each"] == ["prefect.resource.id"]
    committee = automations[deployments["committee-rescan"]["id"]]["trigger"]
    assert committee["match"]["prefect.resource.id"] == ["ccm.meeting.*", "ccm.action.*"]
    assert {"dispatch-reminders", "export-feeds"} <= deployments.keys()


def test_recording_a_report_triggers_a_rescan_that_marks_the_obligation_met(
    prefect_server, tracker_database, worker
):
    earlier = {r["id"] for r in _rescan_runs(prefect_server)}
    # The server is shared by the backends, and each records for its own State: Prefect rolls
    # the bucket of a State whose trigger already fired forward every few seconds and ignores
    # an event stamped before the roll, a race the tracker narrows (it stamps right before the
    # POST) but cannot close. A test that must not flake keeps the two backends apart.
    iso3 = "AFG" if tracker_database.startswith("sqlite") else "ALB"
    # on time (AFG's initial report was due 2012-08-28, ALB's 2011-01-28): `met`, not met_late
    received = "2012-08-20" if iso3 == "AFG" else "2011-01-20"
    resource = f"ccm.state.{iso3}"
    recorded = stack.run(
        [str(BIN / "ccm-tracker"), "record", "report", iso3, "--initial",
         "--received", received, "--source", "e2e"],
        prefect_server.env(CCM_DATABASE_URL=tracker_database),
    )
    assert f"event delivered: ccm.fact.recorded for {resource}" in recorded.stdout

    run = _wait_for_completed_rescan(prefect_server, resource, earlier)
    assert run["parameters"] == {"states": [resource]}
    engine = create_engine(tracker_database)
    try:
        with engine.connect() as conn:
            status = conn.execute(text(
                f"SELECT status FROM obligation WHERE key = 'CCM:{iso3}:art7_initial'"
            )).scalar_one()
    finally:
        engine.dispose()
    # The record refreshed the State's obligations in its own transaction (met at once); the
    # triggered rescan of that one State (parameters above) is idempotent and leaves it met.
    assert status == "met"


def _rescan_runs(server: PrefectServer) -> list[dict[str, Any]]:
    return server.api("POST", "/flow_runs/filter", {
        "deployments": {"name": {"any_": ["state-rescan"]}},
        "sort": "EXPECTED_START_TIME_DESC",
    })


def _wait_for_completed_rescan(
    server: PrefectServer, resource: str, earlier: set[str]
) -> dict[str, Any]:
    seen: list[dict[str, Any]] = []

    def completed() -> dict[str, Any] | None:
        seen[:] = [r for r in _rescan_runs(server) if r["id"] not in earlier]
        for run in seen:
            if run["parameters"].get("states") == [resource]:
                state = run["state"]["type"]
                assert state not in ("FAILED", "CRASHED", "CANCELLED"), run["state"]
                if state == "COMPLETED":
                    return run
        return None

    return stack.wait_for(completed, what=f"a completed state-rescan run for {resource}",
                     explain=lambda: f"runs: {[(r['name'], r['state']['type']) for r in seen]}")


def test_cancelling_a_dispatch_run_mid_send_leaves_no_duplicate(
    prefect_server, tracker_database, tmp_path
):
    """Cancel a `dispatch-reminders` flow run from the Prefect API while the SMTP server holds
    its answer to the second digest: the worker stops the run's process with SIGTERM, the run
    records that digest and gives the rest back, and the next run sends each of the rest once."""
    gate = Gate()
    port = free_port()
    controller = Controller(gate, hostname="127.0.0.1", port=port)
    controller.start()
    today = today_in_geneva()
    try:
        names = ["alice", "bob", "carol", "isu"]  # `init` added the default recipient "isu"
        config = write_apprise_config(tmp_path / "apprise.yaml",
                                      {n: smtp_url(port, f"{n}@example.org") for n in names})
        with session_scope(tracker_database) as session:
            # the import refreshed every State's obligations: keep one due, as before
            session.execute(text("DELETE FROM obligation"))
            # due in 59 days: the 60-day reminder is due. As of today the planner reads the
            # stored rows (another day is computed from the facts: the registry's 552 open
            # obligations, not this one; notifications.planning)
            make_obligation(session, state="AFG", due=today + dt.timedelta(days=59))
            for name in names[:3]:
                make_recipient(session, name)
        log = tmp_path / "worker.log"
        with _worker(prefect_server, log, CCM_DATABASE_URL=tracker_database,
                     CCM_APPRISE_CONFIG=str(config), CCM_OUTBOX_DIR=str(tmp_path / "outbox")):
            [deployment] = [d for d in prefect_server.api("POST", "/deployments/filter", {})
                            if d["name"] == "dispatch-reminders"]
            run = prefect_server.api("POST", f"/deployments/{deployment['id']}/create_flow_run",
                                     {"parameters": {"as_of": today.isoformat()}})
            assert gate.second_arrived.wait(timeout=RUN_WAIT_SECONDS), log.read_text()
            prefect_server.api("POST", f"/flow_runs/{run['id']}/set_state",
                               {"state": {"type": "CANCELLING"}, "force": True})
            stack.wait_for(lambda: "finishing the message in flight" in log.read_text(),
                      what="the run's process to be asked to stop", explain=log.read_text)
            gate.release.set()
            final = stack.wait_for(lambda: _final_state(prefect_server, run["id"]),
                              what="the cancelled run to end", explain=log.read_text)
        assert final == "CANCELLED"
        with session_scope(tracker_database) as session:
            states = Counter(r.state for r in session.exec(select(Reminder)).all())
        assert states == {"sent": 2, "pending": 2}  # the held digest was recorded; none left "sending"

        channel = AppriseChannel(config, tmp_path / "outbox")
        dispatch(url=tracker_database, as_of=today, policy=ReminderPolicy(),
                 channel=channel)
        assert Counter(m["To"] for m in gate.messages) == {f"{n}@example.org": 1 for n in names}
    finally:
        gate.release.set()
        controller.stop()


def _final_state(server: PrefectServer, run_id: str) -> str | None:
    state = server.api("GET", f"/flow_runs/{run_id}")["state"]["type"]
    return state if state in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED") else None
