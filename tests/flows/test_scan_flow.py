"""The scan flow: its tasks as plain functions (``.fn``), and the whole flow under the shared
Prefect test server (artifacts and events read back from it)."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from flows.events import event_id, obligation_events, send_events
from flows.scan import load_and_compute, normalize_states, scan_obligations, sync
from models.db import session_scope
from models.refresh import changes
from models.registry import record_extension, record_report
from models.tables import Obligation as ObligationRow
from models.tracking import keep_register
from tests.factories import make_article_fact, make_state

AS_OF = dt.date(2021, 6, 1)


def _afg_with_contamination_and_alb() -> None:
    """AFG: EIF 2012-03-01, Art. 4 applies (clearance due 2022-03-01). ALB: EIF 2010-08-01."""
    with session_scope() as session:
        make_state(session, "AFG")
        make_state(session, "ALB", "Albania", deposit=dt.date(2009, 6, 16))
        session.flush()
        make_article_fact(session, "AFG", 4)
        # the register of reports received is kept: a missing report is overdue
        keep_register(session=session, register="reports", since=dt.date(2008, 12, 3))


def _rows() -> dict[str, ObligationRow]:
    with session_scope() as session:
        return {row.key: row for row in session.exec(select(ObligationRow)).all()}


def test_states_may_be_given_as_codes_or_as_the_triggers_resource_ids():
    assert normalize_states(["ccm.state.AFG", "alb", "AFG"]) == ["AFG", "ALB"]
    assert normalize_states("ccm.state.AFG") == ["AFG"]
    assert normalize_states(None) is None
    with pytest.raises(ValueError, match="'ccm.meeting.9MSP' is neither"):
        normalize_states(["ccm.meeting.9MSP"])


def test_compute_and_sync_tasks_upsert_by_key_without_prefect(database_url):
    _afg_with_contamination_and_alb()
    computed = load_and_compute.fn(AS_OF, ["AFG"])
    assert {o.state for o in computed.obligations} == {"AFG"}
    first = sync.fn(computed, AS_OF)
    assert len(first.of("created")) == len(computed.obligations)
    again = sync.fn(load_and_compute.fn(AS_OF, ["AFG"]), AS_OF)
    assert again.changes == []
    assert set(_rows()) == {o.key for o in computed.obligations}


def test_a_state_missing_from_the_registry_is_refused_by_name(database_url):
    _afg_with_contamination_and_alb()
    with pytest.raises(ValueError, match="not in the registry: ZZZ"):
        load_and_compute.fn(AS_OF, ["AFG", "ZZZ"])


def test_the_sync_task_retries_only_database_conflicts():
    from prefect.states import Completed, Failed

    from flows.scan import _transient_database_error

    conflict = Failed(data=IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed")))
    assert _transient_database_error(None, None, conflict)
    assert not _transient_database_error(None, None, Failed(data=ValueError("bad input")))
    assert not _transient_database_error(None, None, Completed(data=1))


# --- the whole flow, on the shared Prefect test server ---------------------------------------


def _api(method: str, path: str, body: dict[str, Any]) -> Any:
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        response = client.request(method, path, json=body)
        response.raise_for_status()
        return response.json()


def _events_with_ids(ids: list[str], wait: float = 15.0) -> list[dict[str, Any]]:
    """The server stores events a moment after it accepts them: poll, bounded."""
    deadline = time.monotonic() + wait
    while True:
        found = _api("POST", "/events/filter", {
            "filter": {"id": {"id": ids}, "occurred": {"since": "2000-01-01T00:00:00Z"}},
            "limit": 50,
        })["events"]
        if len(found) >= len(ids) or time.monotonic() > deadline:
            return found
        time.sleep(0.3)


def _artifacts(key: str, flow_run_id: str) -> list[dict[str, Any]]:
    """The artifacts one run left under ``key`` (the test server is shared by the session)."""
    return _api("POST", "/artifacts/filter", {
        "artifacts": {"key": {"any_": [key]}, "flow_run_id": {"any_": [flow_run_id]}},
    })


def _run(run_id: str) -> dict[str, Any]:
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        response = client.request("GET", f"/flow_runs/{run_id}")
        response.raise_for_status()
        return response.json()


def _scan(**parameters: Any) -> tuple[Any, str]:
    """Run the flow; return its summary and its flow run id."""
    state = scan_obligations(**parameters, return_state=True)
    return state.result(), str(state.state_details.flow_run_id)


def test_a_rescan_of_one_state_stores_its_obligations_and_leaves_artifacts(
    database_url, prefect_harness
):
    _afg_with_contamination_and_alb()
    summary, run_id = _scan(as_of=AS_OF, states=["ccm.state.AFG"])
    rows = _rows()
    assert {row.state for row in rows.values()} == {"AFG"}
    assert rows["CCM:AFG:art4_clearance"].due == dt.date(2022, 3, 1)
    assert rows["CCM:AFG:art7_initial"].status == "overdue"
    assert summary.states == ["AFG"]
    assert summary.changes["created"] == len(rows)
    assert summary.events_delivered and summary.events_sent == len(summary.changed)
    assert summary.overdue[0]["key"] == "CCM:AFG:art7_initial"  # the oldest first
    for name in ("due-90-days", "overdue", "changed", "summary"):
        assert len(_artifacts(f"ccm-rescan-{name}", run_id)) == 1
    [overdue] = _artifacts("ccm-rescan-overdue", run_id)
    assert "CCM:AFG:art7_initial" in str(overdue["data"])
    assert "Afghanistan (AFG)" in overdue["description"]
    [markdown] = _artifacts("ccm-rescan-summary", run_id)
    assert "Scope: Afghanistan (AFG)." in markdown["data"]
    assert _run(run_id)["name"] == "rescan AFG"


def test_a_scan_of_a_database_that_cannot_be_opened_fails_with_one_sentence_naming_it(
    database_url, prefect_harness, tmp_path, monkeypatch
):
    from settings import get_settings

    missing = tmp_path / "nowhere" / "ccm.db"
    monkeypatch.setenv("CCM_DATABASE_URL", f"sqlite:///{missing}")
    get_settings.cache_clear()
    try:
        state = scan_obligations(as_of=AS_OF, return_state=True)
    finally:
        get_settings.cache_clear()
    assert state.is_failed()
    assert state.message == (
        f"the scan was not run: the tracker database sqlite:///{missing} does not exist "
        f"({missing}); set CCM_DATABASE_URL in the worker's environment (the work pool's job "
        "variables) and run `ccm-tracker init`."
    )
    assert not missing.parent.exists()  # nothing was created


def test_a_postgresql_password_is_masked_in_the_failure():
    from flows.preflight import database_problem

    problem = database_problem("postgresql+psycopg://ccm:s3cret@127.0.0.1:1/ccm")
    assert problem is not None
    assert "s3cret" not in problem
    assert problem.startswith("cannot open the tracker database postgresql+psycopg://ccm:***@127.0.0.1:1/ccm: ")


def test_a_rescan_of_a_state_not_in_the_registry_fails_naming_it(database_url, prefect_harness):
    _afg_with_contamination_and_alb()
    state = scan_obligations(as_of=AS_OF, states=["AFG", "ZZZ"], return_state=True)
    assert state.is_failed()
    assert state.message == "the scan was not run: not in the registry: ZZZ."
    assert _rows() == {}


def test_an_extension_bumps_the_version_and_a_report_marks_the_obligation_met(
    database_url, prefect_harness
):
    _afg_with_contamination_and_alb()
    scan_obligations(as_of=AS_OF, states=["AFG"])
    with session_scope() as session:
        record_extension(session=session, iso3="AFG", article=4, until=dt.date(2026, 3, 1),
                         meeting="2RC (decided by silence procedure, Feb 2021)", source="test",
                         actor="test")
        record_report(session=session, iso3="AFG", period=None, received_on=dt.date(2021, 5, 3),
                      source="test", actor="test")
        written = changes(session)
    # The writer refreshed the obligations in its own transaction; its changes are announced
    # (the CLI does it with announce_changes where an API is set; here the test server's).
    delivery = send_events(obligation_events(written, occurred=dt.datetime.now(dt.UTC)))
    assert delivery.delivered
    rows = _rows()
    clearance = rows["CCM:AFG:art4_clearance"]
    assert (clearance.due, clearance.original_due, clearance.version) == (
        dt.date(2026, 3, 1), dt.date(2022, 3, 1), 2)
    assert rows["CCM:AFG:art7_initial"].status == "met_late"  # due 2012-08-28
    found = {(c.key, c.change) for c in written}
    assert ("CCM:AFG:art4_clearance", "changed") in found
    assert ("CCM:AFG:art7_initial", "met_late") in found

    # A rescan after the writer's refresh is idempotent: nothing left to change.
    summary = scan_obligations(as_of=AS_OF, states=["AFG"])
    assert summary.changed == []
    assert _rows()["CCM:AFG:art4_clearance"].version == 2

    changed_id = str(event_id("CCM:AFG:art4_clearance", 2, "changed"))
    met_id = str(event_id("CCM:AFG:art7_initial", 1, "met_late"))
    events = {e["id"]: e for e in _events_with_ids([changed_id, met_id])}
    assert events[changed_id]["event"] == "ccm.obligation.changed"
    assert events[changed_id]["payload"]["previous_due"] == "2022-03-01"
    assert events[met_id]["event"] == "ccm.obligation.met_late"
    related = {r["prefect.resource.id"] for r in events[met_id]["related"]}
    assert "ccm.state.AFG" in related


def test_a_full_scan_uses_the_scan_artifact_keys_and_covers_every_state(
    database_url, prefect_harness
):
    _afg_with_contamination_and_alb()
    summary, run_id = _scan(as_of=AS_OF)
    assert {row.state for row in _rows().values()} == {"AFG", "ALB"}
    assert summary.states is None
    assert len(_artifacts("ccm-scan-summary", run_id)) == 1
    assert _run(run_id)["name"] == f"scan {AS_OF.isoformat()}"
