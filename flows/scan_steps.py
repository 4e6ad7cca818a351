"""The scan's steps as plain functions, without Prefect: the scan flow's tasks call them
(``flows.scan``), and ``scan_in_process`` calls them in this process without importing Prefect
(``ccm-tracker scan --no-prefect``, which ``make run`` uses: importing Prefect's flow machinery
costs ~1.2 s of CPU here, its temporary server ~48 s on a fresh ``PREFECT_HOME``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlmodel import Session, select

from clock import today_in_geneva
from flows.events import Delivery, configured_api_url, iso3_of
from flows.preflight import database_problem
from flows.scan_report import (
    ScanSummary,
    summarize,
)
from models import revision
from models.db import session_scope
from models.obligations import (
    Scope,
    SyncResult,
    compute_obligations,
    sync_obligations,
)
from models.tables import State
from models.tracking import registers as registers_of
from models.tracking import tracking_since as tracking_since_of
from models.treaty_facts import registers_by_treaty, tracking_by_treaty
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
    registers: dict[str, dt.date | None] | None = None  # the CCM's
    states: list[str] | None = None  # the scope computed (None: everything)
    treaties: list[str] = field(default_factory=lambda: ["CCM"])  # codes computed
    # treaty code -> its registers (the summary reads each row with its own, as the store)
    registers_by_treaty: dict[str, dict[str, dt.date | None]] = field(default_factory=dict)


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


def compute(
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
        kept_of = registers_by_treaty(session=session)
    return Computed(found, since, names, by_treaty, kept, states, [t.code for t in chosen], kept_of)


def store(computed: Computed, as_of: dt.date) -> SyncResult:
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


NO_API_IN_PROCESS = "no Prefect API configured; set PREFECT_API_URL to send them"


class ScanRefused(ValueError):
    """The scan was not run (the database cannot be used); the message says why."""


def scan_in_process(
    as_of: dt.date | None = None,
    states: list[str] | None = None,
    treaties: list[str] | None = None,
    store_rows: bool = True,
) -> ScanSummary:
    """The scan flow's steps as plain calls in this process, without Prefect: the functions
    its tasks call, in the same order, so the same obligations are stored and the same
    summary returned (``ccm-tracker scan --no-prefect``; ``make run`` uses it).

    What a flow run adds is left out: no run record, no artifacts, no task retries, and no
    temporary Prefect server (~48 s on a fresh ``PREFECT_HOME``, ~10 s on every later run).
    Events go to the Prefect API only when one is configured (``PREFECT_API_URL``), as
    ``record`` does; otherwise the summary says they were not emitted.

    ``store_rows`` False: compute and report for ``as_of`` only; nothing is stored and no
    event is emitted (``ccm-tracker scan --as-of`` another day than today).

    Raises ScanRefused with one sentence when the database cannot be used
    (``flows.preflight``), and ValueError for a State not in the registry, as the flow ends.
    """
    day = as_of or today_in_geneva()
    wanted = normalize_states(states)
    problem = database_problem(get_settings().database_url)
    if problem:
        raise ScanRefused(f"the scan was not run: {problem}")
    computed = compute(day, wanted, scan_treaties(treaties))
    if not store_rows:
        return not_stored(computed, day, wanted)
    synced = store(computed, day)
    if not get_settings().emit_events:
        delivery = Delivery(False, "events are switched off (CCM_EMIT_EVENTS=false)")
    elif not configured_api_url():
        delivery = Delivery(False, NO_API_IN_PROCESS)
    else:  # a server to tell: Prefect's client sends the events (Prefect is imported here)
        from flows.scan import announce_changes

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
        tracking_by_treaty=computed.tracking_by_treaty,
        registers_by_treaty=computed.registers_by_treaty,
    )
    summary.events_delivered = delivery.delivered
    summary.events_sent = delivery.count
    summary.events_note = delivery.reason
    return summary


NOTHING_STORED = "nothing was stored"


def not_stored(computed: Computed, day: dt.date, wanted: list[str] | None) -> ScanSummary:
    """The summary of a scan that only reports (as of a day other than today): its counts
    and rows for ``day``, no changes, no events."""
    summary = scan_summary(computed, SyncResult(total=len(computed.obligations)),
                           Delivery(False, NOTHING_STORED), day, wanted)
    summary.stored = False
    return summary
