"""Benchmark: a scan of the real registry through Prefect vs the same functions called directly.

    .venv/bin/python bench/flows.py [--repeats 5] [--task-runs 200]

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
    from models.db import get_engine
    from settings import reset_settings_cache

    os.environ["CCM_DATABASE_URL"] = url
    reset_settings_cache()
    get_engine.cache_clear()  # get_engine() without a URL caches the first settings' engine


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
    parser.add_argument("--repeats", type=int, default=5, help="steady-state scans per path")
    parser.add_argument("--task-runs", type=int, default=200, help="trivial task runs timed")
    args = parser.parse_args()

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


if __name__ == "__main__":
    main()
