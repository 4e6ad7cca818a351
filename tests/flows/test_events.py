"""Events: deterministic ids, resource ids, and recording that never waits for a missing server."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlmodel import select

from flows.events import (
    NO_API,
    announce_fact,
    event_id,
    fact_event,
    iso3_of,
    obligation_events,
    state_resource,
)
from models.db import session_scope
from models.obligations import ObligationChange
from models.tables import ReportReceived
from tests.conftest import free_port
from tests.factories import make_state

NOON = dt.datetime(2026, 11, 26, 12, tzinfo=dt.UTC)


def test_state_codes_and_resource_ids_name_the_same_state():
    assert state_resource("afg") == "ccm.state.AFG"
    assert iso3_of("ccm.state.AFG") == "AFG"
    assert iso3_of(" alb ") == "ALB"


@pytest.mark.parametrize("bad", ["", "AF", "AFGH", "ccm.state.", "ccm.meeting.AFG", "A1G"])
def test_a_value_that_is_neither_a_code_nor_a_state_resource_is_refused_by_name(bad):
    with pytest.raises(ValueError, match="neither an ISO3 code"):
        iso3_of(bad)


def test_the_same_fact_gets_the_same_event_id_whenever_it_is_announced():
    first = fact_event(resource="ccm.state.AFG", what="initial report", payload={"iso3": "AFG"},
                       occurred=NOON)
    later = fact_event(resource="ccm.state.AFG", what="initial report", payload={"iso3": "AFG"},
                       occurred=NOON + dt.timedelta(hours=3))
    other = fact_event(resource="ccm.state.AFG", what="2025 annual report",
                       payload={"iso3": "AFG"}, occurred=NOON)
    assert first["id"] == later["id"]
    assert first["id"] != other["id"]
    assert first["event"] == "ccm.fact.recorded"
    assert first["resource"]["prefect.resource.id"] == "ccm.state.AFG"


def test_obligation_event_ids_are_uuid5_of_key_version_and_change():
    change = ObligationChange(key="CCM:AFG:art4_clearance", state="AFG", kind="art4_clearance",
                              due=dt.date(2026, 3, 1), version=2, change="changed",
                              previous_due=dt.date(2022, 3, 1))
    [event] = obligation_events([change], occurred=NOON)
    assert event["event"] == "ccm.obligation.changed"
    assert event["id"] == str(event_id("CCM:AFG:art4_clearance", 2, "changed"))
    assert uuid.UUID(event["id"]).version == 5
    assert event["resource"]["prefect.resource.id"] == "ccm.obligation.CCM:AFG:art4_clearance"
    assert {"prefect.resource.id": "ccm.state.AFG", "prefect.resource.role": "state"} in event["related"]
    assert event["payload"]["previous_due"] == "2022-03-01"
    [met] = obligation_events([ObligationChange(**{**change.__dict__, "change": "met"})], occurred=NOON)
    assert met["id"] != event["id"]


def test_an_unreachable_prefect_api_is_reported_not_raised(monkeypatch):
    monkeypatch.setenv("PREFECT_API_URL", f"http://127.0.0.1:{free_port()}/api")
    delivery = announce_fact(resource="ccm.state.AFG", what="initial report")
    assert not delivery.delivered
    assert "ConnectError" in delivery.reason


def _cli(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    environ.update(PREFECT_HOME=str(tmp_path / "prefect-home"), **env)
    command = [sys.executable, "-c", "from cli.app import main; main()", *args]
    return subprocess.run(command, env=environ, capture_output=True, text=True, timeout=120,
                          check=False)


def test_recording_without_a_prefect_api_succeeds_says_so_and_starts_no_server(database_url, tmp_path):
    with session_scope() as session:
        make_state(session, "AFG")
    done = _cli(tmp_path, "record", "report", "AFG", "--initial", "--received", "2012-08-01", "--source", "x")
    assert done.returncode == 0, done.stderr
    assert f"event not delivered: {NO_API}" in " ".join(done.stdout.split())
    with session_scope() as session:
        assert session.exec(select(ReportReceived)).one().kind == "initial"
    # an ephemeral server would have created its database under PREFECT_HOME
    assert not list((tmp_path / "prefect-home").glob("*.db"))


def test_recording_with_an_unreachable_prefect_api_still_records_the_fact(database_url, tmp_path):
    with session_scope() as session:
        make_state(session, "AFG")
    dead = f"http://127.0.0.1:{free_port()}/api"
    done = _cli(tmp_path, "record", "report", "AFG", "--year", "2013", "--source", "x", PREFECT_API_URL=dead)
    assert done.returncode == 0, done.stderr
    assert "event not delivered: Prefect API did not take the events" in " ".join(done.stdout.split())
    with session_scope() as session:
        assert session.exec(select(ReportReceived)).one().period == 2013


def test_a_fact_event_carries_the_revision_its_own_write_produced_not_a_later_writers(
    database_url, capsys, monkeypatch
):
    """Another writer commits between a record's commit and its announcement: the event
    carries the revision the record's transaction produced, not the later writer's (it was
    read again, in a session of its own, after the commit)."""
    import flows.events
    from flows.events import Delivery
    from models import revision
    from tests.cli.running import ccm_here

    with session_scope() as session:
        make_state(session, "AFG")
    with session_scope() as session:
        before = revision.current(session)

    later: list[int] = []

    def a_later_writer_commits_then_the_api_is_read() -> str:
        if not later:  # once, before the first announcement
            with session_scope() as session:
                later.append(revision.bump(session))
        return "http://127.0.0.1:9/api"

    sent: list[dict] = []
    monkeypatch.setattr(flows.events, "configured_api_url", a_later_writer_commits_then_the_api_is_read)
    monkeypatch.setattr(flows.events, "_post_events",
                        lambda events, **_: sent.extend(events) or Delivery(True, "", len(events)))
    code, _, err = ccm_here(capsys, "record", "report", "AFG", "--year", "2013", "--source", "x")
    assert code == 0, err
    [event] = [e for e in sent if e["event"] == "ccm.fact.recorded"]
    assert event["payload"]["revision"] == before + 1
    assert later == [before + 2]  # the later writer did commit first


def test_bump_returns_the_revision_its_transaction_writes(database_url):
    from models import revision

    with session_scope() as session:
        first = revision.bump(session)
        assert revision.current(session) == first
    with session_scope() as session:
        assert revision.bump(session) == first + 1
