"""`ccm-tracker ops pool` and `ops install-automations` against the Prefect test server:
idempotent, named, and the notification URL only on the server."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from cli.app import app

REPO = Path(__file__).resolve().parents[2]


def _automations() -> dict[str, object]:
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        return {a.name: a for a in client.read_automations() if a.name.startswith("ccm: ")}


def test_install_automations_twice_leaves_one_named_automation_per_scheduled_deployment(
    prefect_harness, monkeypatch
):
    from prefect.blocks.notifications import SlackWebhook

    from settings import reset_settings_cache

    monkeypatch.setenv("CCM_OPS_NOTIFY_URL", "json://127.0.0.1:9/ops")
    reset_settings_cache()
    try:
        first = CliRunner().invoke(app, ["ops", "install-automations"])
        assert first.exit_code == 0, first.output
        assert "automation 'ccm: daily-scan failed or late' created" in first.output
        again = CliRunner().invoke(app, ["ops", "install-automations"])
        assert "automation 'ccm: daily-scan failed or late' updated" in again.output
    finally:
        reset_settings_cache()
    automations = _automations()
    assert sorted(automations) == [
        "ccm: daily-scan failed or late",
        "ccm: dispatch-reminders failed or late",
        "ccm: export-feeds failed or late",
    ]
    dispatch = automations["ccm: dispatch-reminders failed or late"]
    assert dispatch.trigger.expect == {
        "prefect.flow-run.Failed", "prefect.flow-run.Crashed", "prefect.flow-run.Late"}
    assert dispatch.trigger.match_related.get("prefect.resource.name") == ["dispatch-reminders"]
    [action] = dispatch.actions
    block = SlackWebhook.load("ccm-ops")
    assert action.block_document_id == block._block_document_id
    assert block.url.get_secret_value() == "json://127.0.0.1:9/ops"
    assert "json://127.0.0.1:9/ops" not in first.output  # the URL is not echoed


def test_install_automations_without_a_url_says_so_and_installs_nothing(prefect_harness, monkeypatch):
    from settings import reset_settings_cache

    monkeypatch.delenv("CCM_OPS_NOTIFY_URL", raising=False)
    reset_settings_cache()
    before = _automations()
    result = CliRunner().invoke(app, ["ops", "install-automations"])
    assert result.exit_code == 1
    assert "set CCM_OPS_NOTIFY_URL to an Apprise URL" in result.output
    assert _automations().keys() == before.keys()


def test_the_pool_gives_its_runs_this_shells_ccm_settings_and_can_be_updated(
    prefect_harness, monkeypatch
):
    from prefect.client.orchestration import get_client

    from flows.runner import pool_environment

    monkeypatch.setenv("CCM_DATABASE_URL", "sqlite:////srv/ccm/ccm.db")
    monkeypatch.setenv("CCM_APPRISE_CONFIG", "/srv/ccm/apprise.yaml")
    first = CliRunner().invoke(app, ["ops", "pool", "--name", "ccm-test-pool"])
    assert first.exit_code == 0, first.output
    assert "work pool ccm-test-pool created" in first.output
    monkeypatch.setenv("CCM_DATABASE_URL", "sqlite:////srv/ccm/other.db")
    again = CliRunner().invoke(app, ["ops", "pool", "--name", "ccm-test-pool"])
    assert "work pool ccm-test-pool updated" in again.output
    with get_client(sync_client=True) as client:
        env = pool_environment(client, "ccm-test-pool")
        assert client.read_work_pool("ccm-test-pool").type == "process"
    assert env["CCM_DATABASE_URL"] == "sqlite:////srv/ccm/other.db"
    assert env["CCM_APPRISE_CONFIG"] == "/srv/ccm/apprise.yaml"
