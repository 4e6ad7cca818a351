"""The dispatch flow as an operator sees it in Prefect: a run whose reminders failed for good
is red, with how many and the first reason on top, its artifact written, its name saying so."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from models.db import session_scope
from tests.reminders.factories import (
    make_obligation,
    make_recipient,
    smtp_url,
    write_apprise_config,
)

AS_OF = dt.date(2026, 3, 2)


@pytest.fixture
def apprise_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    from settings import get_settings

    def apply(urls: dict[str, str]) -> None:
        monkeypatch.setenv("CCM_OUTBOX_DIR", str(tmp_path / "outbox"))
        monkeypatch.setenv("CCM_APPRISE_CONFIG", str(write_apprise_config(tmp_path / "a.yaml", urls)))
        get_settings.cache_clear()

    yield apply
    get_settings.cache_clear()


def _api(method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        response = client.request(method, path, json=body)
        response.raise_for_status()
        return response.json()


def test_a_dispatch_with_a_permanent_failure_ends_failed_naming_how_many_and_why(
    database_url, smtp_server, apprise_config, prefect_harness, today_is
):
    from flows.remind import dispatch_reminders

    today_is(AS_OF)  # the rows made by hand stand for a refresh on that day
    apprise_config({"alice": smtp_url(smtp_server.port, "alice@example.org")})  # no URL for bob
    with session_scope(database_url) as session:
        make_obligation(session, state="AFG")
        make_recipient(session, "alice")
        make_recipient(session, "bob")
    state = dispatch_reminders(as_of=AS_OF, return_state=True)

    assert state.is_failed()
    assert state.message.startswith("1 reminder(s) to 1 recipient(s) failed for good; the first, to bob: ")
    assert "no Apprise URL is tagged 'bob'" in state.message
    assert len(smtp_server.messages) == 1  # alice's went out
    run_id = str(state.state_details.flow_run_id)
    run = _api("GET", f"/flow_runs/{run_id}")
    assert run["name"] == "reminders 2026-03-02: 1 failed"
    assert run["run_count"] == 1  # no flow retry: a retry would plan and send again
    [artifact] = _api("POST", "/artifacts/filter", {
        "artifacts": {"key": {"any_": ["reminders"]}, "flow_run_id": {"any_": [run_id]}}})
    assert "1 sent, 1 failed" in artifact["description"]


def test_a_dispatch_without_failures_completes_and_is_named_for_what_it_sent(
    database_url, smtp_server, apprise_config, prefect_harness, today_is
):
    from flows.remind import dispatch_reminders

    today_is(AS_OF)
    apprise_config({"alice": smtp_url(smtp_server.port, "alice@example.org")})
    with session_scope(database_url) as session:
        make_obligation(session, state="AFG")
        make_recipient(session, "alice")
    state = dispatch_reminders(as_of=AS_OF, return_state=True)
    assert state.is_completed()
    run = _api("GET", f"/flow_runs/{state.state_details.flow_run_id}")
    assert run["name"] == "reminders 2026-03-02: 1 sent"
