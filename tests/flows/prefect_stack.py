"""A real Prefect stack for the end-to-end tests and ``bench/flows.py``: ``prefect server
start`` on a free loopback port (SQLite, or PostgreSQL when given a connection URL), the
``ccm-pool`` process pool, ``prefect deploy --all`` of this checkout's prefect.yaml, and
workers.

Every process runs in its own process group and is stopped by whoever started it (a worker
needs a second SIGINT, see STACK-NOTES).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
POOL = "ccm-pool"
T = TypeVar("T")
# How the worker polls: every second (Prefect's default is 10 s), see docs/flows.md "Latency".
FAST_WORKER = {"PREFECT_WORKER_QUERY_SECONDS": "1", "PREFECT_WORKER_PREFETCH_SECONDS": "5"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class PrefectServer:
    api_url: str
    home: Path
    logs: Path

    def env(self, **extra: str) -> dict[str, str]:
        """The environment of every process talking to this server (and nothing else)."""
        environ = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
        environ.update(
            PREFECT_HOME=str(self.home),
            PREFECT_API_URL=self.api_url,
            PREFECT_SERVER_ANALYTICS_ENABLED="false",
            DO_NOT_TRACK="1",
            **extra,
        )
        return environ

    def api(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        response = httpx.request(method, f"{self.api_url}{path}", json=body, timeout=30)
        response.raise_for_status()
        return response.json() if response.content else None

    def deployment(self, name: str) -> dict[str, Any]:
        [found] = [d for d in self.api("POST", "/deployments/filter", {}) if d["name"] == name]
        return found

    def runs(self, deployment: str) -> list[dict[str, Any]]:
        return self.api("POST", "/flow_runs/filter", {
            "deployments": {"name": {"any_": [deployment]}},
            "sort": "EXPECTED_START_TIME_DESC",
            "limit": 200,
        })


def start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            command, env=env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: we stop it and its children
        )


def stop(process: subprocess.Popen[bytes], interrupts: int) -> None:
    """SIGINT the group ``interrupts`` times (a worker needs two), then escalate."""
    group = process.pid
    for _ in range(interrupts):
        _signal(group, signal.SIGINT)
        try:
            process.wait(timeout=10)
            break
        except subprocess.TimeoutExpired:
            continue
    for escalation in (signal.SIGTERM, signal.SIGKILL):
        if process.poll() is not None:
            break
        _signal(group, escalation)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
    _signal(group, signal.SIGKILL)  # children left in the group (flow runs, uvicorn)
    assert process.poll() is not None, f"process {process.args} did not stop"


def _signal(group: int, sig: signal.Signals) -> None:
    try:
        os.killpg(group, sig)
    except ProcessLookupError:
        pass


def run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(command, env=env, cwd=REPO, capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, f"{' '.join(command)}\n{done.stdout}\n{done.stderr}"
    return done


@contextmanager
def prefect_server(root: Path, database_url: str | None = None) -> Iterator[PrefectServer]:
    """A real `prefect server start` on a free loopback port, with the pool and deployments.

    ``database_url``: the server's own database (``postgresql+asyncpg://...``); default a
    SQLite file under ``root``."""
    port = free_port()
    server = PrefectServer(f"http://127.0.0.1:{port}/api", root / "home", root / "logs")
    server.logs.mkdir(parents=True, exist_ok=True)
    env = server.env(
        PREFECT_API_DATABASE_CONNECTION_URL=database_url or f"sqlite+aiosqlite:///{root / 'prefect.db'}",
        # a run refused by a deployment's concurrency limit is retried after 1 s, not 30 s
        PREFECT_SERVER_DEPLOYMENTS_CONCURRENCY_SLOT_WAIT_SECONDS="1",
    )
    process = start(
        [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env, server.logs / "server.log",
    )
    try:
        wait_for_health(server, process)
        run([str(BIN / "prefect"), "work-pool", "create", POOL, "--type", "process"], server.env())
        run(
            [str(BIN / "prefect"), "--no-prompt", "deploy", "--all",
             "--prefect-file", str(REPO / "prefect.yaml")],
            server.env(CCM_TRACKER_DIR=str(REPO)),
        )
        yield server
    finally:
        stop(process, interrupts=1)


def wait_for_health(server: PrefectServer, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert process.poll() is None, (server.logs / "server.log").read_text()
        try:
            if httpx.get(f"{server.api_url}/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise AssertionError("prefect server did not answer /api/health within 120 s")


@contextmanager
def worker(server: PrefectServer, log: Path, name: str | None = None, queue: str | None = None,
           **env: str) -> Iterator[None]:
    """A `prefect worker start` on ``ccm-pool`` (every queue, or ``queue``) polling every
    second, with ``env``."""
    environ = server.env(**{**FAST_WORKER, **env})
    command = [str(BIN / "prefect"), "worker", "start", "--pool", POOL]
    if name:
        command += ["--name", name]
    if queue:
        command += ["--work-queue", queue]
    process = start(command, environ, log)
    try:
        yield
    finally:
        stop(process, interrupts=2)


def wait_for(
    check: Callable[[], T | None], *, what: str, explain: Callable[[], str], seconds: float = 180
) -> T:
    """Poll ``check`` until it answers something truthy; fail with ``explain()`` after
    ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.3)
    raise AssertionError(f"waited {seconds:.0f} s for {what}; {explain()}")
