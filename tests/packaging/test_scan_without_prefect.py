"""`ccm-tracker scan --no-prefect` (what `make run` uses): the scan flow's steps in this
process, storing what the flow stores, without starting a Prefect server."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import select

from flows.scan import scan_obligations
from flows.scan_steps import NO_API_IN_PROCESS, scan_in_process
from models.db import session_scope
from models.tables import Obligation as ObligationRow
from tests.factories import make_article_fact, make_state

AS_OF = dt.date(2021, 6, 1)
CLI = str(Path(sys.executable).parent / "ccm-tracker")


def _afg_and_alb() -> None:
    with session_scope() as session:
        make_state(session, "AFG")
        make_state(session, "ALB", "Albania", deposit=dt.date(2009, 6, 16))
        session.flush()
        make_article_fact(session, "AFG", 4)


def _rows() -> dict[str, tuple]:
    with session_scope() as session:
        return {r.key: (r.due, r.status, r.version)
                for r in session.exec(select(ObligationRow)).all()}


def test_the_scan_without_prefect_stores_the_obligations_and_says_no_events_went_out(
    database_url, monkeypatch
):
    from prefect.settings import PREFECT_API_URL, temporary_settings

    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    _afg_and_alb()
    # no API in the environment nor in Prefect's settings (a session's test server sets one)
    with temporary_settings(restore_defaults={PREFECT_API_URL}):
        summary = scan_in_process(as_of=AS_OF, states=["ccm.state.AFG"])
    rows = _rows()
    assert {key.split(":")[1] for key in rows} == {"AFG"}
    assert rows["CCM:AFG:art4_clearance"][0] == dt.date(2022, 3, 1)
    assert summary.changes["created"] == len(rows)
    assert (summary.events_delivered, summary.events_note) == (False, NO_API_IN_PROCESS)
    again = scan_in_process(as_of=AS_OF, states=["AFG"])
    assert again.changes["created"] == 0 and _rows() == rows


@pytest.mark.integration
def test_after_a_scan_without_prefect_the_flow_finds_nothing_to_change(
    database_url, prefect_harness, monkeypatch
):
    from prefect.settings import PREFECT_API_URL

    # a person configures the API in the environment (the harness only sets Prefect's
    # in-process settings, which the tracker reads without importing Prefect)
    monkeypatch.setenv("PREFECT_API_URL", PREFECT_API_URL.value())
    _afg_and_alb()
    without = scan_in_process(as_of=AS_OF)  # the API is configured: events go out
    assert without.events_delivered and without.events_sent == sum(without.changes.values())
    stored = _rows()
    flow = scan_obligations(as_of=AS_OF)
    assert flow.changes["created"] == 0 and flow.changed == []
    assert _rows() == stored
    assert (flow.overdue, flow.due_soon) == (without.overdue, without.due_soon)


def test_the_command_starts_no_prefect_server_and_imports_no_flow_machinery(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CCM_", "PREFECT_API"))}
    env["PREFECT_HOME"] = str(tmp_path / ".prefect")
    subprocess.run([CLI, "init"], cwd=tmp_path, env=env, check=True, capture_output=True)
    done = subprocess.run([CLI, "scan", "--no-prefect"], check=False, cwd=tmp_path, env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "scan of every State" in done.stdout
    assert "events: not emitted (no Prefect API configured" in done.stdout
    # nor imports Prefect's flow machinery (~1.2 s of CPU): a scan in a fresh interpreter
    script = ("import sys\n"
              "from flows.scan_steps import scan_in_process\n"
              "scan_in_process()\n"
              "print(sorted(m for m in sys.modules\n"
              "             if m.startswith(('prefect.flows', 'prefect.tasks', 'prefect.server'))))\n")
    probe = subprocess.run([sys.executable, "-c", script], check=False, cwd=tmp_path, env=env,
                           capture_output=True, text=True)
    assert probe.stdout.strip() == "[]", probe.stderr
    # a Prefect server (the temporary one included) creates its database in PREFECT_HOME
    assert not list((tmp_path / ".prefect").glob("*.db"))
