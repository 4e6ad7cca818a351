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
from dataclasses import dataclass, field

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, select

from clock import today_in_geneva
from flows.events import Delivery, configured_api_url, iso3_of, obligation_events, send_events
from flows.preflight import database_problem, failed, one_line
from flows.scan_report import (
    HORIZON_DAYS,
    ScanSummary,
    artifact_key,
    summarize,
    summary_lines,
    summary_markdown,
    table_rows,
)
from models import revision
from models.db import session_scope
from models.obligations import (
    ObligationChange,
    Scope,
    SyncResult,
    compute_obligations,
    sync_obligations,
)
from models.tables import State
from models.tracking import registers as registers_of
from models.tracking import tracking_since as tracking_since_of
from models.treaty_facts import tracking_by_treaty
from models.treaty_tables import TreatyParty
from rules.obligations import Obligation
from rules.treaties import TREATIES, Treaty, treaty_named
from settings import get_settings


@dataclass
class Computed:
    obligations: list[Obligation]
    tracking_since: dt.date | None
    names: dict[str, str] = field(default_factory=dict)  # ISO3 -> name, for the artifacts
    # treaty code -> its tracking-since day (the APMBC's may differ from the CCM's)
    tracking_by_treaty: dict[str, dt.date | None] = field(default_factory=dict)
    registers: dict[str, dt.date | None] | None = None
    states: list[str] | None = None  # the scope computed (None: everything)
    treaties: list[str] = field(default_factory=lambda: ["CCM"])  # codes computed


RESCAN_NAMED_STATES = 5  # a rescan of more States is named by their number


def normalize_states(states: Sequence[str] | None) -> list[str] | None:
    """ISO3 codes or resource ids (``ccm.state.AFG``, as the rescan trigger passes them)."""
    if not states:  # None or empty: every State
        return None
    if isinstance(states, str):  # a single value given where a list was meant
        states = [states]
    return sorted({iso3_of(value) for value in states})


def scan_treaties(codes: Sequence[str] | None) -> tuple[Treaty, ...]:
    """The treaties a scan covers: every treaty (``rules.treaties.TREATIES``) by default, in
    one run, or the codes given (``ccm``, ``apmbc``); ``ValueError`` naming an unknown one."""
    if not codes:
        return tuple(TREATIES.values())
    try:
        return tuple(treaty_named(code) for code in codes)
    except KeyError as error:
        raise ValueError(str(error).strip("'\"")) from None


def _known(session: Session, states: list[str]) -> set[str]:
    known = set(session.exec(select(State.iso3).where(State.iso3.in_(states))).all())
    known |= set(session.exec(select(TreatyParty.iso3).where(TreatyParty.iso3.in_(states))).all())
    return known


@task(cache_policy=NO_CACHE)
def load_and_compute(
    as_of: dt.date, states: list[str] | None, treaties: Sequence[Treaty] | None = None
) -> Computed:
    """Read the facts and compute every obligation of every treaty (read-only)."""
    settings = get_settings()
    chosen = tuple(treaties) if treaties else tuple(TREATIES.values())
    with session_scope() as session:
        if states is not None:
            known = _known(session, states)
            unknown = [s for s in states if s not in known]
            if unknown:
                raise ValueError(f"not in the registry: {', '.join(unknown)}")
        since = tracking_since_of(session=session, override=settings.tracking_since)
        by_treaty = tracking_by_treaty(session=session, override=settings.tracking_since)
        kept = registers_of(session=session)
        found = compute_obligations(
            session=session, as_of=as_of, settings=settings, states=states, treaties=chosen
        )
        names = dict(session.exec(select(TreatyParty.iso3, TreatyParty.name)).all())
        names.update(session.exec(select(State.iso3, State.name)).all())
    return Computed(found, since, names, by_treaty, kept, states, [t.code for t in chosen])


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
    rules no longer produce, bump the data revision; say what changed."""
    states = computed.states
    with session_scope() as session:
        result = sync_obligations(
            session=session,
            computed=computed.obligations,
            as_of=as_of,
            tracking_since=computed.tracking_since,
            tracking_by_treaty=computed.tracking_by_treaty,
            registers=computed.registers,
            scope=Scope(None if states is None else frozenset(states), states is None,
                        frozenset(computed.treaties)),
        )
        revision.bump(session)
        return result


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
) -> ScanSummary:
    """Recompute obligations (all States, or ``states``: ISO3 codes or ``ccm.state.XXX``)
    under every treaty in one run (or ``treaties``: ``ccm``, ``apmbc``), upsert them,
    announce what changed, and leave artifacts.

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
        synced = sync(computed, day)
        delivery = announce_changes(synced.changes)
    except Exception as error:  # noqa: BLE001
        return failed(f"the scan failed: {one_line(error)}")
    summary = scan_summary(computed, synced, delivery, day, wanted)
    try:
        publish_artifacts(summary)
    except Exception as error:  # noqa: BLE001
        return failed(f"the scan's obligations were stored, but its artifacts were not: {one_line(error)}")
    for line in summary_lines(summary):
        logger.info(line)
    return summary


NO_API_IN_PROCESS = "no Prefect API configured; set PREFECT_API_URL to send them"


class ScanRefused(ValueError):
    """The scan was not run (the database cannot be used); the message says why."""


def scan_in_process(
    as_of: dt.date | None = None,
    states: list[str] | None = None,
    treaties: list[str] | None = None,
) -> ScanSummary:
    """The scan flow's steps as plain calls in this process, without Prefect: the same task
    functions (``.fn``) in the same order, so the same obligations are stored and the same
    summary returned (``ccm-tracker scan --no-prefect``; ``make run`` uses it).

    What a flow run adds is left out: no run record, no artifacts, no task retries, and no
    temporary Prefect server (~48 s on a fresh ``PREFECT_HOME``, ~10 s on every later run).
    Events go to the Prefect API only when one is configured (``PREFECT_API_URL``), as
    ``record`` does; otherwise the summary says they were not emitted.

    Raises ScanRefused with one sentence when the database cannot be used
    (``flows.preflight``), and ValueError for a State not in the registry, as the flow ends.
    """
    day = as_of or today_in_geneva()
    wanted = normalize_states(states)
    problem = database_problem(get_settings().database_url)
    if problem:
        raise ScanRefused(f"the scan was not run: {problem}")
    computed = load_and_compute.fn(day, wanted, scan_treaties(treaties))
    synced = sync.fn(computed, day)
    if not get_settings().emit_events:
        delivery = Delivery(False, "events are switched off (CCM_EMIT_EVENTS=false)")
    elif not configured_api_url():
        delivery = Delivery(False, NO_API_IN_PROCESS)
    else:
        delivery = announce_changes.fn(synced.changes)
    return scan_summary(computed, synced, delivery, day, wanted)


def scan_summary(
    computed: Computed,
    synced: SyncResult,
    delivery: Delivery,
    day: dt.date,
    wanted: list[str] | None,
) -> ScanSummary:
    """What a scan found and changed, and whether its events went out (the flow and
    ``scan_in_process`` both report through this, so they say the same)."""
    summary = summarize(
        computed=computed.obligations,
        synced=synced,
        as_of=day,
        tracking_since=computed.tracking_since,
        states=wanted,
        names=computed.names,
        registers=computed.registers,
    )
    summary.events_delivered = delivery.delivered
    summary.events_sent = delivery.count
    summary.events_note = delivery.reason
    return summary
