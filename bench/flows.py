"""Benchmark: a scan of the real registry through Prefect vs the same functions called
directly; and the latency from recording a fact to its triggered rescan Completed.

    .venv/bin/python bench/flows.py [--part all|scan|latency] [--repeats 5] [--task-runs 200]
                                    [--singles 10] [--burst 10]

**Latency** (``--part latency``): a real ``prefect server`` (SQLite, fresh home), the
``ccm-pool`` process pool with this checkout's deployments, and one ``prefect worker``
polling every second (``tests/flows/prefect_stack.py``, as the e2e tests use it). A fact is
recorded as ``ccm-tracker record`` does it (``record_report`` committed, then
``ccm.fact.recorded`` posted); the figure is from the start of that write to the triggered
``state-rescan`` run's ``end_time`` (server clock, same machine), for ``--singles`` facts one
after another (each for its own State, each waited for) and for a burst of ``--burst`` facts
for as many States recorded back to back. The floor, in the same run: the same one-State
rescan called directly (the flow's functions without Prefect), and the flow called in this
process against the same server.

Both paths run in this process on their own fresh SQLite copy of the bundled registry
(``data/``): load facts, compute obligations, upsert them, summarise. The Prefect path is the
``scan_obligations`` flow on Prefect's ephemeral server (it also posts the change events and
four artifacts); the direct path builds the same events without sending them. Prints figures;
asserts nothing.

Prefect gets a fresh PREFECT_HOME in a temporary directory, so every run starts from the same
state: the server start figure includes migrating its new database. (Re-running against a
kept home would replay the same deterministic event ids; Prefect 3.9.1's SQLite event writer
then logs "NOT NULL constraint failed: events.occurred" and drops those duplicate batches; see
docs/flows.md.)
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

AS_OF = dt.date(2026, 11, 26)


def prepare(url: str) -> None:
    from models.db import migrate, session_scope
    from models.importer import BUNDLED_DIR, BUNDLED_FILES, import_csv
    from models.tracking import ensure_tracking_since

    migrate(url)
    with session_scope(url) as session:
        ensure_tracking_since(session=session, default=dt.date(2026, 1, 1))
        for name in BUNDLED_FILES:
            import_csv(BUNDLED_DIR / name, session=session, actor="bench")


def use_database(url: str) -> None:
    from models.db import forget_engines
    from settings import reset_settings_cache

    os.environ["CCM_DATABASE_URL"] = url
    reset_settings_cache()
    forget_engines()


def direct_scan() -> int:
    """The flow's work without Prefect: the same functions, in the same order."""
    from flows.events import obligation_events
    from flows.scan_report import summarize
    from models.db import session_scope
    from models.obligations import compute_obligations, sync_obligations
    from models.tracking import tracking_since
    from settings import get_settings

    settings = get_settings()
    with session_scope() as session:
        since = tracking_since(session=session, override=settings.tracking_since)
        computed = compute_obligations(session=session, as_of=AS_OF, settings=settings)
    with session_scope() as session:
        synced = sync_obligations(session=session, computed=computed, as_of=AS_OF,
                                  tracking_since=since)
    obligation_events(synced.changes, occurred=dt.datetime.now(dt.UTC))
    summarize(computed=computed, synced=synced, as_of=AS_OF, tracking_since=since, states=None)
    return len(synced.changes)


def prefect_scan() -> int:
    from flows.scan import scan_obligations

    summary = scan_obligations(as_of=AS_OF)
    return sum(summary.changes.values())


def task_run_cost(runs: int) -> float:
    """Seconds per trivial task run, from a flow of ``runs`` tasks minus an empty flow."""
    from prefect import flow, task

    @task
    def nothing(i: int) -> int:
        return i

    @flow
    def many(n: int) -> None:
        for i in range(n):
            nothing(i)

    many(0)  # warm up the flow's registration
    empty = statistics.median(timed(lambda: many(0) or 0)[0] for _ in range(3))
    full = timed(lambda: many(runs) or 0)[0]
    return (full - empty) / runs


def timed(fn: Callable[[], int]) -> tuple[float, int]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["all", "scan", "latency"], default="all")
    parser.add_argument("--repeats", type=int, default=5, help="steady-state scans per path")
    parser.add_argument("--task-runs", type=int, default=200, help="trivial task runs timed")
    parser.add_argument("--singles", type=int, default=10, help="facts recorded one at a time")
    parser.add_argument("--burst", type=int, default=10, help="facts for as many States at once")
    args = parser.parse_args()
    if args.part in ("all", "scan"):
        scan_costs(args)
    if args.part in ("all", "latency"):
        latency(args)


def scan_costs(args: argparse.Namespace) -> None:
    import logging

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["PREFECT_HOME"] = str(Path(tmp) / "prefect-home")
        direct_url = f"sqlite:///{Path(tmp) / 'direct.db'}"
        prefect_url = f"sqlite:///{Path(tmp) / 'prefect.db'}"
        prepare(direct_url)
        prepare(prefect_url)

        use_database(direct_url)
        direct_first, direct_changes = timed(direct_scan)
        direct_steady = [timed(direct_scan)[0] for _ in range(args.repeats)]

        import_start = time.perf_counter()
        from prefect.client.orchestration import get_client

        import flows.scan  # noqa: F401 - Prefect's import cost, counted separately

        prefect_import = time.perf_counter() - import_start
        logging.getLogger("prefect").setLevel(logging.WARNING)
        start = time.perf_counter()
        with get_client(sync_client=True) as client:  # starts the ephemeral server
            client.api_healthcheck()
        server_start = time.perf_counter() - start

        # before the scans, so the server has time to record these task runs before exit
        per_task = task_run_cost(args.task_runs)

        use_database(prefect_url)
        prefect_first, prefect_changes = timed(prefect_scan)
        prefect_steady = [timed(prefect_scan)[0] for _ in range(args.repeats)]


    d_first, p_first = direct_first, prefect_first
    d_med, p_med = statistics.median(direct_steady), statistics.median(prefect_steady)
    print(f"registry scan as of {AS_OF}, fresh PREFECT_HOME, {args.repeats} steady repeats")
    print(f"  import prefect + flows:        {prefect_import:6.2f} s (once per process)")
    print(f"  ephemeral server start:        {server_start:6.2f} s (once per process; fresh home, "
          "includes migrations)")
    print(f"  first scan (creates rows):     direct {d_first:6.3f} s   prefect {p_first:6.3f} s"
          f"   ({direct_changes} / {prefect_changes} changes)")
    print(f"  steady scan (nothing changes): direct {d_med:6.3f} s   prefect {p_med:6.3f} s"
          f"   (median)")
    print(f"  ratio prefect/direct:          first {p_first / d_first:6.1f}x   steady "
          f"{p_med / d_med:6.1f}x")
    print(f"  fixed Prefect cost per scan:   {p_med - d_med:6.3f} s (steady, flow + 4 tasks + "
          f"artifacts)")
    print(f"  first-scan extra (events, big artifacts): {p_first - d_first - (p_med - d_med):6.3f} s")
    print(f"  one trivial task run:          {per_task * 1000:6.1f} ms; one task per obligation "
          f"would add ~{per_task * direct_changes:5.0f} s to a {direct_changes}-change scan")


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (``share`` 0.95: the value 95 % of the sample are at or under)."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * share // 1))  # ceil
    return ordered[int(rank) - 1]


def record_fact(url: str, iso3: str, received_on: dt.date) -> float:
    """Record an initial report as `ccm-tracker record report ISO3 --initial` does (commit,
    then announce); return the wall-clock time the write started."""
    from flows.events import announce_fact, state_resource
    from models.db import session_scope
    from models.refresh import written_revision
    from models.registry import record_report

    started = time.time()
    with session_scope(url) as session:
        record_report(session=session, iso3=iso3, period=None, received_on=received_on,
                      source="bench", actor="bench")
        revision = written_revision(session)
    delivery = announce_fact(resource=state_resource(iso3),
                             what=f"initial report received {received_on.isoformat()}",
                             payload={"iso3": iso3}, revision=revision)
    assert delivery.delivered, delivery.reason
    return started


def latency(args: argparse.Namespace) -> None:
    """Record -> triggered rescan Completed on a real server and worker (see the docstring)."""
    from tests.flows import prefect_stack as stack

    per_config = 1 + args.singles + args.burst
    needed = 2 * per_config  # each configuration records for its own States
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        url = f"sqlite:///{root / 'ccm.db'}"
        prepare(url)
        use_database(url)
        direct_scan()  # the obligations exist: a rescan confirms, as after the daily scan
        from sqlmodel import select

        from models.db import session_scope
        from models.tables import State

        with session_scope(url) as session:
            parties = session.exec(
                select(State.iso3).where(State.deposit_date.is_not(None)).order_by(State.iso3)
            ).all()
        assert len(parties) >= needed, f"{needed} States needed, {len(parties)} parties"
        def states_of(config: int) -> tuple[list[str], list[str]]:
            """(the warm-up State and the singles, the burst) of configuration ``config``."""
            mine = list(parties[config * per_config:(config + 1) * per_config])
            return mine[:1 + args.singles], mine[1 + args.singles:]

        singles = states_of(0)[0][1:]

        results: dict[str, dict[str, list[dict[str, float]]]] = {}
        with stack.prefect_server(root / "prefect") as server:
            os.environ["PREFECT_API_URL"] = server.api_url
            seen: set[str] = set()
            def measure(config: str, states: list[str], burst_states: list[str]) -> None:
                day = dt.date(2026, 1, 5)
                measured(server, seen, root, url, states[0], day)  # the first run warms caches
                single = []
                for i, iso3 in enumerate(states[1:]):
                    single.append(measured(server, seen, root, url, iso3,
                                           day + dt.timedelta(days=i + 1)))
                    time.sleep(1)
                starts = {iso3: record_fact(url, iso3, day) for iso3 in burst_states}
                bursts = [wait_measured(server, seen, root, iso3, started)
                          for iso3, started in starts.items()]
                results[config] = {"single": single, "burst": bursts}

            # 1. a process worker alone (it serves the quick queue too), tuned to poll every 1 s
            with stack.worker(server, root / "worker.log", CCM_DATABASE_URL=url):
                measure("process worker alone, polling every 1 s", *states_of(0))
            # 2. the in-process runner on the quick queue (flows/runner.py), beside a worker on
            #    the default queue left at Prefect's defaults, as README.md starts them
            runner = stack.start([sys.executable, "-m", "flows.runner"],
                                 server.env(CCM_DATABASE_URL=url), root / "runner.log")
            try:
                with stack.worker(server, root / "worker.log", queue="default",
                                  CCM_DATABASE_URL=url, PREFECT_WORKER_QUERY_SECONDS="10",
                                  PREFECT_WORKER_PREFETCH_SECONDS="10"):
                    time.sleep(5)  # imports; the first run below also absorbs any rest
                    measure("in-process runner + default worker", *states_of(1))
            finally:
                stack.stop(runner, interrupts=1)

            # The floor, against the same server and database, in this process.
            from flows.scan import scan_obligations

            direct = [timed(lambda c=c: direct_rescan(c))[0] for c in singles[:5]]
            scan_obligations(states=[singles[0]])  # import and first-call costs out of the way
            in_process = [timed(lambda c=c: _flow_rescan(c))[0] for c in singles[:5]]
            del os.environ["PREFECT_API_URL"]

    def line(label: str, values: list[float]) -> str:
        return (f"  {label:34s} p50 {statistics.median(values):5.2f} s   p95 "
                f"{percentile(values, 0.95):5.2f} s   max {max(values):5.2f} s   (n={len(values)})")

    print("record -> triggered state-rescan Completed (real server, fresh SQLite home)")
    for config, found in results.items():
        single, bursts = found["single"], found["burst"]
        print(f" {config}")
        print(line("single facts, one at a time", [m["total"] for m in single]))
        print(line("  event -> run created", [m["to_created"] for m in single]))
        print(line("  created -> Running (claim, start)", [m["to_running"] for m in single]))
        print(line("  Running -> Completed", [m["work"] for m in single]))
        print(line(f"burst of {len(bursts)} States", [m["total"] for m in bursts]))
        print(line("  event -> run created", [m["to_created"] for m in bursts]))
        print(line("  created -> Running (queued)", [m["to_running"] for m in bursts]))
        print(line("  Running -> Completed", [m["work"] for m in bursts]))
        print(f"  runs executed by the in-process runner: "
              f"{sum(m['in_process'] for m in single + bursts):.0f} of {len(single) + len(bursts)}")
    print("floor: the same one-State rescan")
    print(line("called directly (no Prefect)", direct))
    print(line("the flow called in this process", in_process))


def wait_measured(
    server: Any, seen: set[str], root: Path, iso3: str, started: float
) -> dict[str, float]:
    """Wait for the next Completed state-rescan run of ``iso3``; its timings from ``started``."""
    from tests.flows import prefect_stack as stack

    resource = f"ccm.state.{iso3}"

    def done() -> dict[str, Any] | None:
        for run in server.runs("state-rescan"):
            if run["id"] in seen or run["parameters"].get("states") != [resource]:
                continue
            kind = run["state"]["type"]
            assert kind not in ("FAILED", "CRASHED", "CANCELLED"), run["state"]
            if kind == "COMPLETED":
                seen.add(run["id"])
                return run
        return None

    run = stack.wait_for(done, what=f"the rescan of {iso3}", seconds=300,
                         explain=lambda: (root / "worker.log").read_text()[-3000:])
    at = {k: dt.datetime.fromisoformat(str(run[k])).timestamp()
          for k in ("created", "start_time", "end_time")}
    return {"total": at["end_time"] - started,
            "to_created": at["created"] - started,
            "to_running": at["start_time"] - at["created"],
            "work": at["end_time"] - at["start_time"],
            "in_process": float(run.get("infrastructure_pid") is None)}


def measured(server: Any, seen: set[str], root: Path, url: str, iso3: str,
             day: dt.date) -> dict[str, float]:
    return wait_measured(server, seen, root, iso3, record_fact(url, iso3, day))


def direct_rescan(iso3: str) -> int:
    """One State's rescan without Prefect: the flow's functions in the flow's order."""
    from flows.events import obligation_events
    from flows.scan_report import summarize
    from models.db import session_scope
    from models.obligations import compute_obligations, sync_obligations
    from models.tracking import tracking_since
    from settings import get_settings

    settings = get_settings()
    with session_scope() as session:
        since = tracking_since(session=session, override=settings.tracking_since)
        computed = compute_obligations(session=session, as_of=AS_OF, settings=settings,
                                       states=[iso3])
    with session_scope() as session:
        synced = sync_obligations(session=session, computed=computed, as_of=AS_OF,
                                  tracking_since=since)
    obligation_events(synced.changes, occurred=dt.datetime.now(dt.UTC))
    summarize(computed=computed, synced=synced, as_of=AS_OF, tracking_since=since, states=[iso3])
    return len(synced.changes)


def _flow_rescan(iso3: str) -> int:
    from flows.scan import scan_obligations

    summary = scan_obligations(states=[iso3])
    return sum(summary.changes.values())


if __name__ == "__main__":
    main()
