"""prefect.yaml says what the service needs: the pool, the schedule, the trigger, the checkout."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import yaml

from flows.scan import scan_obligations

REPO = Path(__file__).resolve().parents[2]


def _config() -> dict:
    return yaml.safe_load((REPO / "prefect.yaml").read_text())


def _deployments() -> dict[str, dict]:
    return {d["name"]: d for d in _config()["deployments"]}


def test_every_deployment_names_an_existing_flow_on_the_process_pool():
    import importlib

    for deployment in _deployments().values():
        path, name = deployment["entrypoint"].split(":")
        assert (REPO / path).is_file()
        module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
        assert hasattr(getattr(module, name), "fn"), f"{deployment['name']}: {name} is not a flow"
        assert deployment["work_pool"]["name"] == "ccm-pool"


def test_the_scan_deployments_run_the_scan_flow():
    for name in ("daily-scan", "state-rescan", "committee-rescan"):
        assert _deployments()[name]["entrypoint"] == f"flows/scan.py:{scan_obligations.fn.__name__}"


def test_committee_facts_trigger_a_full_rescan():
    [trigger] = _deployments()["committee-rescan"]["triggers"]
    assert trigger["match"] == {"prefect.resource.id": ["ccm.meeting.*", "ccm.action.*"]}
    assert "parameters" not in trigger  # states=None: every State and the Committee's rows


def test_the_daily_scan_runs_at_06_15_in_geneva_outside_the_dst_hour():
    [schedule] = _deployments()["daily-scan"]["schedules"]
    assert schedule == {"cron": "15 6 * * *", "timezone": "Europe/Zurich", "active": True}


def test_the_rescan_runs_once_per_state_at_most_four_at_a_time_on_the_quick_queue():
    rescan = _deployments()["state-rescan"]
    [trigger] = rescan["triggers"]
    assert trigger["expect"] == ["ccm.fact.recorded"]
    assert trigger["match"] == {"prefect.resource.id": "ccm.state.*"}
    assert trigger["for_each"] == ["prefect.resource.id"]
    assert trigger["parameters"] == {"states": ["{{ event.resource.id }}"]}
    assert rescan["concurrency_limit"] == {"limit": 4, "collision_strategy": "ENQUEUE"}
    assert rescan["work_pool"]["work_queue_name"] == "quick"  # flows/runner.py serves it
    assert trigger["name"] and trigger["description"]  # the automation is named in the UI


def test_every_deployment_says_what_it_does_and_when():
    for name, deployment in _deployments().items():
        assert len(deployment["description"].split()) >= 15, name


def test_only_flows_of_this_checkout_run_in_the_runner():
    from flows.runner import load_entrypoint
    from flows.scan import scan_obligations

    assert load_entrypoint("flows/scan.py:scan_obligations") is scan_obligations
    with pytest.raises(ValueError, match="is not a flow of this checkout"):
        load_entrypoint("os.py:system")


def _checkout_step(monkeypatch, tmp_path, directory: str | None) -> str:
    from prefect.deployments.steps.utility import run_shell_script

    [build] = _config()["build"]
    step = build["prefect.deployments.steps.run_shell_script"]
    if directory is None:
        monkeypatch.delenv("CCM_TRACKER_DIR", raising=False)
    else:
        monkeypatch.setenv("CCM_TRACKER_DIR", directory)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PWD", str(tmp_path))
    result = asyncio.run(run_shell_script(script=step["script"], stream_output=False))
    return result["stdout"]


def test_the_pull_directory_is_ccm_tracker_dir_or_else_where_one_deploys(monkeypatch, tmp_path):
    [pull] = _config()["pull"]
    assert pull == {"prefect.deployments.steps.set_working_directory": {
        "directory": "{{ checkout.stdout }}"}}
    assert _checkout_step(monkeypatch, tmp_path, "/srv/ccm-tracker") == "/srv/ccm-tracker"
    assert _checkout_step(monkeypatch, tmp_path, None) == str(tmp_path)
