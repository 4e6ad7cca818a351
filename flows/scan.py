"""The scan flow: facts -> rules -> obligations upserted by key -> events and artifacts.

A thin flow of four tasks; the work per obligation is plain Python over the whole batch
(``models.obligations`` and ``flows.scan_report``), never one task run per obligation: a task
run costs 10-20 ms and a registry has ~2,000 obligations.

Deployments (daily cron, rescan on `ccm.fact.recorded`) live in prefect.yaml. Runs are named
for what they do (``scan_run_name``); known failures end Failed with one sentence
(``flows.preflight``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run
from sqlalchemy.exc import IntegrityError, OperationalError

from clock import today_in_geneva
from flows.events import Delivery, obligation_events, send_events
from flows.preflight import database_problem, failed, one_line
from flows.scan_report import (
    HORIZON_DAYS,
    ScanSummary,
    artifact_key,
    summary_lines,
    summary_markdown,
    table_rows,
)
from flows.scan_steps import (  # noqa: F401 - re-exported: the flow's callers import them here
    NO_API_IN_PROCESS,
    Computed,
    ScanRefused,
    _known,
    compute,
    normalize_states,
    not_stored,
    scan_in_process,
    scan_summary,
    scan_treaties,
    store,
)
from models.db import session_scope
from models.obligations import (
    ObligationChange,
    SyncResult,
)
from rules.treaties import Treaty
from settings import get_settings

RESCAN_NAMED_STATES = 5  # a rescan of more States is named by their number


@task(cache_policy=NO_CACHE)
def load_and_compute(
    as_of: dt.date, states: list[str] | None, treaties: Sequence[Treaty] | None = None
) -> Computed:
    """Read the facts and compute every obligation of every treaty (read-only):
    ``flows.scan_steps.compute``."""
    return compute(as_of, states, treaties)


def scan_run_name() -> str:
    """The run's name in the UI: ``rescan AFG``, ``rescan AFG ALB``, ``rescan 12 States``;
    ``daily scan 2026-11-30`` for the daily deployment, ``scan 2026-11-30`` otherwise."""
    from prefect.runtime import deployment

    parameters = flow_run.parameters or {}
    try:
        states = normalize_states(parameters.get("states"))
    except ValueError:  # the flow refuses it by name; the run is still named
        states = [str(s) for s in parameters.get("states") or []]
    if states:
        if len(states) > RESCAN_NAMED_STATES:
            return f"rescan {len(states)} States"
        return "rescan " + " ".join(states)
    day = parameters.get("as_of") or today_in_geneva()
    day = day.isoformat() if isinstance(day, dt.date) else str(day)
    return f"daily scan {day}" if deployment.name == "daily-scan" else f"scan {day}"


def unknown_states(states: list[str]) -> list[str]:
    """The codes among ``states`` that are not in the registry of any treaty."""
    with session_scope() as session:
        known = _known(session, states)
    return [s for s in states if s not in known]


def _transient_database_error(task, task_run, state) -> bool:  # type: ignore[no-untyped-def]
    """Retry a lock timeout, or two scans inserting the same new key; nothing else."""
    try:
        state.result()
    except (OperationalError, IntegrityError):
        return True
    except Exception:  # noqa: BLE001 - any other failure is permanent: no retry
        return False
    return False


@task(
    cache_policy=NO_CACHE,
    retries=2,
    retry_delay_seconds=5,
    retry_condition_fn=_transient_database_error,
)
def sync(computed: Computed, as_of: dt.date) -> SyncResult:
    """Upsert the obligations by key in one transaction, retire the rows of the scope the
    rules no longer produce, bump the data revision; say what changed:
    ``flows.scan_steps.store``."""
    return store(computed, as_of)


@task(cache_policy=NO_CACHE)
def announce_changes(changes: list[ObligationChange]) -> Delivery:
    """Emit `ccm.obligation.<change>` events in batches, related to this flow run."""
    if not get_settings().emit_events:
        return Delivery(False, "events are switched off (CCM_EMIT_EVENTS=false)")
    related = []
    if flow_run.id:
        related.append(
            {"prefect.resource.id": f"prefect.flow-run.{flow_run.id}", "prefect.resource.role": "flow-run"}
        )
    events = obligation_events(
        changes, occurred=dt.datetime.now(dt.UTC), related=related
    )
    return send_events(events)


@task(cache_policy=NO_CACHE)
def publish_artifacts(summary: ScanSummary) -> None:
    """A markdown summary first, then three tables (due soon, overdue by lateness, changed),
    under stable keys: ``ccm-scan-*`` for full scans, ``ccm-rescan-*`` for every rescan."""
    create_markdown_artifact(
        markdown=summary_markdown(summary),
        key=artifact_key(summary.states, "summary"),
        description=f"{_kind(summary)} of {summary.scope} as of {summary.as_of.isoformat()}",
    )
    for name, rows, title in (
        (f"due-{HORIZON_DAYS}-days", summary.due_soon, f"Open, due within {HORIZON_DAYS} days"),
        ("overdue", summary.overdue, "Overdue"),
        ("changed", summary.changed, "Changed by this scan"),
    ):
        shown, note = table_rows(rows)
        create_table_artifact(
            table=shown or [{"note": "none"}],
            key=artifact_key(summary.states, name),
            description=f"{title}, {_kind(summary).lower()} of {summary.scope}, as of "
            f"{summary.as_of.isoformat()}: {len(rows)}{note}",
        )


def _kind(summary: ScanSummary) -> str:
    return "Scan" if summary.states is None else "Rescan"


@flow(name="scan-obligations", flow_run_name=scan_run_name, log_prints=False, retries=0)
def scan_obligations(
    as_of: dt.date | None = None,
    states: list[str] | None = None,
    treaties: list[str] | None = None,
    store_rows: bool = True,
) -> ScanSummary:
    """Recompute obligations (all States, or ``states``: ISO3 codes or ``ccm.state.XXX``)
    under every treaty in one run (or ``treaties``: ``ccm``, ``apmbc``), upsert them,
    announce what changed, and leave artifacts. ``store_rows`` False: report for ``as_of``
    only, store nothing, emit nothing (``ccm-tracker scan --as-of`` another day than today).

    Ends Failed, with one sentence and no traceback, when the database cannot be used
    (``flows.preflight``), a value in ``states`` is not a State, or a State is not in the
    registry."""
    logger = get_run_logger()
    day = as_of or today_in_geneva()
    try:
        wanted = normalize_states(states)
        chosen = scan_treaties(treaties)
    except ValueError as error:
        return failed(f"the scan was not run: {error}.")
    problem = database_problem(get_settings().database_url)
    if problem:
        return failed(f"the scan was not run: {problem}")
    if wanted is not None:
        unknown = unknown_states(wanted)
        if unknown:
            return failed(f"the scan was not run: not in the registry: {', '.join(unknown)}.")
    try:  # each task logs its own traceback once; the run ends with one line
        computed = load_and_compute(day, wanted, chosen)
        if store_rows:
            synced = sync(computed, day)
            delivery = announce_changes(synced.changes)
    except Exception as error:  # noqa: BLE001
        return failed(f"the scan failed: {one_line(error)}")
    summary = (scan_summary(computed, synced, delivery, day, wanted) if store_rows
               else not_stored(computed, day, wanted))
    try:
        publish_artifacts(summary)
    except Exception as error:  # noqa: BLE001
        return failed(f"the scan's obligations were stored, but its artifacts were not: {one_line(error)}")
    for line in summary_lines(summary):
        logger.info(line)
    return summary
