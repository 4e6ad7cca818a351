"""A runner that executes the quick deployments' flow runs inside its own process.

Why: a process worker starts every flow run in a new Python process (`python -m
prefect.engine`), which imports Prefect and the tracker again: ~2 s on a quiet 2-core machine,
8-14 s when it is busy, for a rescan whose work takes ~1 s. Measured with `bench/flows.py`, that
start was most of the time from ``ccm-tracker record`` to the rescan Completed. This runner has
Prefect and the flows imported once, polls the ``quick`` work queue of ``ccm-pool`` every half
second, claims a run the way a worker does (it proposes Pending; the server lets one claimant
win and applies the deployment's concurrency limit), and runs it on one of ``slots`` threads
with Prefect's own engine (``prefect.flow_engine.run_flow``): states, logs, artifacts and
events are the same as under a worker.

Only the ``quick`` queue: the rescans and ``record-fact`` (short, idempotent). The daily scan,
the dispatcher and the feed export stay on the process worker, where a cancel stops the run's
process (the dispatcher relies on that to stop without a duplicate). A process worker on
``ccm-pool`` started without ``--work-queue`` serves the ``quick`` queue too: with the runner
down, runs are slower, not lost; with both up, whichever claims first runs it (the server
refuses the second claim), so README.md starts the worker with ``--work-queue default``.

Environment: the runs see this process's environment, completed by the work pool's job
variables (``env`` of its base job template, as ``ccm-tracker ops pool`` sets it) for any
variable not already set, so a runner and a worker started the same way see the same
``CCM_*`` settings. The runner works from the checkout (where ``flows/`` is), as the
deployments' pull step does.

A cancel from the UI of a run this runner executes is not honoured mid-run (a thread cannot be
stopped safely); the rescan ends in a second or two anyway. Stop the runner with Ctrl-C or
SIGTERM: it stops claiming and lets the runs in progress finish.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import os
import signal
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any
from uuid import UUID

POOL = "ccm-pool"
QUICK_QUEUE = "quick"
CHECKOUT = Path(__file__).resolve().parents[1]
log = logging.getLogger("ccm.runner")


def load_entrypoint(entrypoint: str) -> Any:
    """``flows/scan.py:scan_obligations`` -> the flow object, imported as a module of this
    checkout (only ``flows/*.py`` entrypoints: the runner runs nothing else)."""
    path, _, name = entrypoint.partition(":")
    if not (path.startswith("flows/") and path.endswith(".py") and name):
        raise ValueError(f"entrypoint {entrypoint!r} is not a flow of this checkout")
    module = importlib.import_module(path[:-3].replace("/", "."))
    return getattr(module, name)


def pool_environment(client: Any, pool: str) -> dict[str, str]:
    """The ``env`` default of the work pool's base job template (``{}`` when none)."""
    found = client.read_work_pool(pool)
    variables = (found.base_job_template or {}).get("variables", {})
    default = variables.get("properties", {}).get("env", {}).get("default") or {}
    return {str(k): str(v) for k, v in default.items() if v is not None}


class Runner:
    """Poll ``pool``/``queue``, claim up to ``slots`` runs at a time, run them in threads."""

    def __init__(self, *, pool: str = POOL, queue: str = QUICK_QUEUE, slots: int = 4,
                 poll_seconds: float = 0.5) -> None:
        self.pool, self.queue, self.slots, self.poll_seconds = pool, queue, slots, poll_seconds
        self.stopping = threading.Event()
        self._flows: dict[UUID, Any] = {}
        self._running: dict[UUID, Future[Any]] = {}

    def run(self) -> None:
        """Serve until ``stopping`` is set (SIGINT/SIGTERM in the main thread set it)."""
        from prefect.client.orchestration import get_client

        os.chdir(CHECKOUT)
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                signal.signal(sig, lambda *_: self.stopping.set())
        with get_client(sync_client=True) as client, ThreadPoolExecutor(
            self.slots, thread_name_prefix="ccm-run"
        ) as executor:
            for key, value in pool_environment(client, self.pool).items():
                os.environ.setdefault(key, value)
            from settings import reset_settings_cache

            reset_settings_cache()
            load_entrypoint("flows/scan.py:scan_obligations")  # imports paid before the first run
            log.info("serving queue %r of pool %r with %d slot(s)", self.queue, self.pool, self.slots)
            while not self.stopping.is_set():
                self._running = {k: f for k, f in self._running.items() if not f.done()}
                free = self.slots - len(self._running)
                if free > 0:
                    try:
                        self._claim_and_start(client, executor, free)
                    except Exception as error:  # noqa: BLE001 - a server hiccup: poll again
                        log.warning("polling %s failed: %s", self.pool, error)
                self.stopping.wait(self.poll_seconds)
            log.info("stopping: %d run(s) in progress finish first", len(self._running))

    def _claim_and_start(self, client: Any, executor: ThreadPoolExecutor, free: int) -> None:
        from prefect.client.schemas.objects import StateType
        from prefect.states import Pending

        responses = client.get_scheduled_flow_runs_for_work_pool(
            work_pool_name=self.pool, work_queue_names=[self.queue],
            scheduled_before=dt.datetime.now(dt.UTC),
        )
        for response in responses:
            if free <= 0:
                return
            run = response.flow_run
            if run.id in self._running:
                continue
            result = client.set_flow_run_state(run.id, Pending())
            if result.state is None or result.state.type != StateType.PENDING:
                continue  # another claimant won, or the concurrency limit says later
            try:
                flow = self._flow_of(client, run.deployment_id)
            except Exception as error:  # noqa: BLE001 - the claimed run must not stay Pending
                from prefect.states import Failed

                client.set_flow_run_state(run.id, Failed(
                    message=f"the runner cannot run this deployment's flow: {error}"), force=True)
                continue
            self._running[run.id] = executor.submit(self._execute, run.id, flow)
            free -= 1

    def _flow_of(self, client: Any, deployment_id: UUID) -> Any:
        if deployment_id not in self._flows:
            deployment = client.read_deployment(deployment_id)
            self._flows[deployment_id] = load_entrypoint(deployment.entrypoint)
        return self._flows[deployment_id]

    @staticmethod
    def _execute(flow_run_id: UUID, flow: Any) -> None:
        from prefect.flow_engine import load_flow_run, run_flow

        try:
            run_flow(flow, flow_run=load_flow_run(flow_run_id), return_type="state")
        except BaseException:
            log.exception("flow run %s ended with an exception", flow_run_id)


def main() -> None:
    """``python -m flows.runner [--slots N] [--poll SECONDS]``."""
    import argparse

    parser = argparse.ArgumentParser(description="Run the quick deployments in this process.")
    parser.add_argument("--pool", default=POOL)
    parser.add_argument("--queue", default=QUICK_QUEUE)
    parser.add_argument("--slots", type=int, default=4)
    parser.add_argument("--poll", type=float, default=0.5)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    Runner(pool=args.pool, queue=args.queue, slots=args.slots, poll_seconds=args.poll).run()


if __name__ == "__main__":
    main()
