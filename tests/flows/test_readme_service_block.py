"""README.md's "Run as a service" block, run as written: extracted from the README, saved as a
script and run with bash in a copy of the checkout (so its database, logs and Prefect home
stay out of the repository), with only PREFECT_PORT (a free port), CCM_DATABASE_URL (a
database outside the copy) and CCM_OPS_NOTIFY_URL (a loopback HTTP server, Apprise's json://)
chosen by the test. Then an operator's record leads to a completed rescan, a deployed run
writes where the pool's CCM_* settings say, a failed export-feeds run notifies the ops URL,
and everything stops."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import httpx
import pytest

from tests.flows.prefect_stack import BIN, REPO, free_port, stop, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def service_block() -> str:
    """The first ```bash block of README.md's "## Run as a service" section, verbatim."""
    text = (REPO / "README.md").read_text()
    section = text[text.index("## Run as a service"):]
    return re.search(r"```bash\n(.*?)```", section, re.DOTALL).group(1)


def _copy_checkout(target: Path) -> None:
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True,
                             check=True).stdout.decode().split("\0")
    for name in filter(None, tracked):
        source = REPO / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


class _Notifications(BaseHTTPRequestHandler):
    received: ClassVar[list[dict]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.received.append(json.loads(body or b"{}"))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_the_readme_service_block_runs_as_written_and_a_record_is_rescanned(tmp_path):
    checkout, elsewhere = tmp_path / "checkout", tmp_path / "data"
    checkout.mkdir()
    elsewhere.mkdir()
    _copy_checkout(checkout)
    script = checkout / "service.sh"
    script.write_text(service_block())
    port = free_port()
    database = f"sqlite:///{elsewhere / 'ccm.db'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "CCM_"))}
    notifications = ThreadingHTTPServer(("127.0.0.1", 0), _Notifications)
    threading.Thread(target=notifications.serve_forever, daemon=True).start()
    env.update(PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}", PREFECT_PORT=str(port),
               CCM_DATABASE_URL=database,
               CCM_OPS_NOTIFY_URL=f"json://127.0.0.1:{notifications.server_port}/ops")
    log = tmp_path / "service.log"
    process = subprocess.Popen(["bash", str(script)], cwd=checkout, env=env, start_new_session=True,
                               stdout=log.open("wb"), stderr=subprocess.STDOUT)
    api = f"http://127.0.0.1:{port}/api"

    def call(method: str, path: str, body: dict | None = None):  # type: ignore[no-untyped-def]
        response = httpx.request(method, f"{api}{path}", json=body, timeout=30)
        response.raise_for_status()
        return response.json()

    def explain() -> str:
        logs = [log, checkout / "prefect-server.log", checkout / "ccm-runner.log"]
        return "\n".join(f"--- {p.name}\n{p.read_text()[-3000:]}" for p in logs if p.exists())

    try:
        def worker_online() -> bool:
            assert process.poll() is None, explain()
            try:
                workers = call("POST", "/work_pools/ccm-pool/workers/filter", {})
            except httpx.HTTPError:
                return False
            return any(w["status"] == "ONLINE" for w in workers)

        wait_for(worker_online, what="the block's worker to be online", explain=explain, seconds=300)
        pool = call("GET", "/work_pools/ccm-pool")
        assert pool["base_job_template"]["variables"]["properties"]["env"]["default"] == {
            "CCM_DATABASE_URL": database,
            "CCM_FEEDS_DIR": str(checkout / "feeds"),
            "CCM_OUTBOX_DIR": str(checkout / "outbox"),
        }

        recorded = subprocess.run(
            [str(BIN / "ccm-tracker"), "record", "report", "AFG", "--initial", "--on", "2012-08-20",
             "--source", "readme test"],
            cwd=checkout, env={**env, "PREFECT_API_URL": api}, capture_output=True, text=True,
            timeout=120, check=False)
        assert "event delivered: ccm.fact.recorded for ccm.state.AFG" in recorded.stdout, (
            recorded.stdout + recorded.stderr)

        def rescanned() -> dict | None:
            runs = call("POST", "/flow_runs/filter", {"deployments": {"name": {"any_": ["state-rescan"]}}})
            done = [r for r in runs if r["state"]["type"] == "COMPLETED"]
            return done[0] if done else None

        run = wait_for(rescanned, what="the rescan of AFG", explain=explain, seconds=120)
        assert run["name"] == "rescan AFG"

        [feeds] = [d for d in call("POST", "/deployments/filter", {}) if d["name"] == "export-feeds"]

        def export(parameters: dict) -> str:
            created = call("POST", f"/deployments/{feeds['id']}/create_flow_run",
                           {"parameters": parameters})

            def finished() -> str | None:
                kind = call("GET", f"/flow_runs/{created['id']}")["state"]["type"]
                return kind if kind in ("COMPLETED", "FAILED", "CRASHED") else None

            return wait_for(finished, what="the export-feeds run", explain=explain, seconds=180)

        assert export({}) == "COMPLETED"
        assert (checkout / "feeds" / "all.ics").is_file()
        assert _Notifications.received == []

        assert export({"directory": "/proc/ccm-cannot-write-here"}) == "FAILED"
        [told] = wait_for(lambda: list(_Notifications.received), what="the failure notification",
                          explain=explain, seconds=60)
        assert told["title"].startswith("ccm-tracker: export-feeds run feeds ")
        assert "is Failed" in told["title"]
        assert "the feeds were not all written to /proc/ccm-cannot-write-here" in told["message"]
    finally:
        stop(process, interrupts=2)
        notifications.shutdown()
