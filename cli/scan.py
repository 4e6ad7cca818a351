"""`scan`: run the scan flow in this process and print what it found.

With PREFECT_API_URL set, the run is recorded on that server; without it, Prefect starts its
ephemeral server for the duration of the command (the first time on a fresh PREFECT_HOME it
migrates a new database: ~20 s here).
"""

from __future__ import annotations

import os
from typing import Annotated, Any

import typer

from cli.common import (
    AsOf,
    EveryTreatyChoice,
    chosen_treaties,
    fail,
    parse_date,
    say,
    today_in_geneva,
)


def register(app: typer.Typer) -> None:
    app.command("scan")(scan)


def scan(
    as_of: AsOf = None,
    state: Annotated[
        list[str] | None,
        typer.Option(metavar="ISO3", help="Only this State (ISO3, or ccm.state.ISO3); repeatable."),
    ] = None,
    prefect: Annotated[
        bool,
        typer.Option(
            "--prefect/--no-prefect",
            help="--no-prefect: the flow's steps in this process without a Prefect server "
            "(no run record, no artifacts; events only to a configured PREFECT_API_URL).",
        ),
    ] = True,
    treaty: EveryTreatyChoice = None,
) -> None:
    """Recompute obligations, store them (a moved due date bumps the version), emit events for
    what changed, and leave artifacts in the Prefect UI. Same flow as the deployments.
    Every convention in one run (`--treaty ccm` or `apmbc` narrows it).

    `--as-of` another day than today (Geneva) reports the obligations as of that day and
    stores nothing: the stored statuses, which reminders and feeds read, stay today's."""
    from models.db import require_database

    day = parse_date(as_of, "--as-of")
    store_rows = day is None or day == today_in_geneva()
    require_database()  # before Prefect starts (seconds): no database, no scan
    chosen = chosen_treaties(treaty, default="all")
    states = _checked_states(state, chosen)
    treaties = [t.code.lower() for t in chosen]
    _prefect_defaults()
    from flows.scan_report import summary_lines
    from flows.scan_steps import ScanRefused, scan_in_process

    refusals: tuple[type[Exception], ...] = (ScanRefused,)
    run = scan_in_process  # --no-prefect: Prefect's flow machinery is not even imported
    if prefect:
        from prefect.exceptions import FailedRun

        from flows.scan import scan_obligations

        refusals, run = (FailedRun, ScanRefused), scan_obligations
    try:
        summary = run(as_of=day, states=states, treaties=treaties, store_rows=store_rows)
    except refusals as refused:  # one sentence (flows.preflight): say it once
        raise fail(str(refused))
    except Exception as error:  # noqa: BLE001 - the flow's logs above say where; here say what
        raise fail(f"the scan failed: {error}")
    for line in summary_lines(summary):
        say(line)


def _checked_states(values: list[str] | None, treaties: tuple[Any, ...]) -> list[str] | None:
    """Refuse a bad code before starting Prefect (which takes seconds)."""
    if not values:
        return None
    from cli.choices import check_states
    from flows.events import STATE_RESOURCE_PREFIX
    from models.db import session_scope

    codes = [v.removeprefix(STATE_RESOURCE_PREFIX) for v in values]
    with session_scope() as session:
        return sorted(set(check_states("--state", codes, session=session, treaties=treaties)))


def _prefect_defaults() -> None:
    """Settings that make the ephemeral server start reliably on a fresh home (see
    STACK-NOTES): more time to migrate, and no telemetry heartbeat (it locked a fresh SQLite
    database). Must run before Prefect is imported; the environment still wins."""
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
