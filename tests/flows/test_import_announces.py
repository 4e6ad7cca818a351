"""`ccm-tracker import` announces one `ccm.fact.recorded` per State it touched."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from typer.testing import CliRunner

from cli.app import app
from models.db import session_scope
from tests.factories import make_state

REPORTS = "iso3,report,received_on,source\nAFG,initial,2012-08-20,test\nALB,2011,2012-04-30,test\n"


def _recorded_events(
    since: dt.datetime, path: str, wait: float = 15.0, expect: int = 2
) -> list[dict[str, Any]]:
    """This test's events (the server is shared by the session; the path names the file)."""
    from prefect.client.orchestration import get_client

    body = {
        "filter": {
            "event": {"name": ["ccm.fact.recorded"]},
            "occurred": {"since": since.isoformat()},
        },
        "limit": 50,
    }
    deadline = time.monotonic() + wait
    while True:
        with get_client(sync_client=True) as client:
            found = [
                e for e in client.request("POST", "/events/filter", json=body).json()["events"]
                if path in e["payload"].get("what", "")
            ]
        if len(found) >= expect or time.monotonic() > deadline:
            return found
        time.sleep(0.3)


def _announce_to_the_test_server(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The harness sets Prefect's API URL inside this process only; the tracker reads it the
    way an operator sets it (the environment)."""
    from prefect.settings import PREFECT_API_URL

    monkeypatch.setenv("PREFECT_API_URL", PREFECT_API_URL.value())


def test_an_import_announces_each_state_it_touched_and_nothing_when_it_changed_nothing(
    database_url, prefect_harness, tmp_path, monkeypatch
):
    _announce_to_the_test_server(monkeypatch)
    with session_scope() as session:
        make_state(session, "AFG")
        make_state(session, "ALB", "Albania", deposit=dt.date(2009, 6, 16))
    reports = tmp_path / "reports.csv"
    reports.write_text(REPORTS)
    since = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)

    first = CliRunner().invoke(app, ["import", str(reports)])
    assert first.exit_code == 0, first.output
    assert "events delivered: ccm.fact.recorded for 2 State(s)" in first.output
    events = _recorded_events(since, str(reports))
    assert sorted(e["resource"]["prefect.resource.id"] for e in events) == [
        "ccm.state.AFG", "ccm.state.ALB"]

    again = CliRunner().invoke(app, ["import", str(reports)])
    assert again.exit_code == 0, again.output
    assert "events" not in again.output  # unchanged file: nothing to announce


def test_a_corrected_file_reimported_from_the_same_path_is_a_new_event_and_a_replay_is_not(
    database_url, prefect_harness, tmp_path, monkeypatch
):
    _announce_to_the_test_server(monkeypatch)
    """Case c09: the event id hashes the file's content, so the server does not drop the
    corrected import as a replay of the first (it did when the id held only path and State)."""
    from flows.events import announce_facts

    with session_scope() as session:
        make_state(session, "AFG")
    reports = tmp_path / "states.csv"
    since = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    reports.write_text("iso3,report,received_on,source\nAFG,initial,2012-08-20,test\n")
    assert CliRunner().invoke(app, ["import", str(reports)]).exit_code == 0
    reports.write_text("iso3,report,received_on,source\nAFG,initial,2012-08-21,test\n")
    corrected = CliRunner().invoke(app, ["import", str(reports), "--correct", "--reason", "typo"])
    assert "1 corrected" in corrected.output and "events delivered" in corrected.output, corrected.output

    events = _recorded_events(since, str(reports), expect=2)
    assert len(events) == 2
    assert len({e["id"] for e in events}) == 2
    assert {e["resource"]["prefect.resource.id"] for e in events} == {"ccm.state.AFG"}

    latest = max(events, key=lambda e: e["occurred"])
    replay = announce_facts([(latest["resource"]["prefect.resource.id"], latest["payload"]["what"],
                              {k: v for k, v in latest["payload"].items() if k != "what"})])
    assert replay.delivered
    time.sleep(2)  # give the server the time it took to store the two above
    assert len(_recorded_events(since, str(reports), wait=0, expect=3)) == 2  # same id: one event


def test_a_fact_set_back_to_its_earlier_value_is_a_new_event_not_a_replay(
    database_url, prefect_harness, tmp_path, monkeypatch
):
    """Import A, correct it to B, correct it back to A: three writes, three events. With an id
    over content alone the third repeated the first's and the server dropped it, so the State
    was not rescanned after the revert."""
    _announce_to_the_test_server(monkeypatch)
    with session_scope() as session:
        make_state(session, "AFG")
    reports = tmp_path / "revert.csv"
    since = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    first = "iso3,report,received_on,source\nAFG,initial,2012-08-20,test\n"
    for text, options in [(first, []),
                          (first.replace("08-20", "08-21"), ["--correct", "--reason", "typo"]),
                          (first, ["--correct", "--reason", "typo undone"])]:
        reports.write_text(text)
        result = CliRunner().invoke(app, ["import", str(reports), *options])
        assert "events delivered" in result.output, result.output

    events = _recorded_events(since, str(reports), expect=3)
    assert len({e["id"] for e in events}) == 3
    digests = [e["payload"]["sha256"] for e in sorted(events, key=lambda e: e["payload"]["revision"])]
    assert digests[0] == digests[2] != digests[1]  # the content repeats; the event does not
