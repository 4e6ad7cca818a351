"""No stale reads: every writer recomputes the obligations its facts change, in its own
transaction, and bumps the data revision.

``refresh_obligations`` is the one call a writer makes after adding its facts to the
session (the caller commits). It computes the obligations of the given States (and/or the
Committee's own) as of today in Geneva from the facts in effect today, upserts them by key,
retires the rows in that scope that the rules no longer produce, and bumps
``models.revision``. The reminder plan, the feed server and ``feed export`` read the same
table, so they never serve an obligation older than the newest fact. The scan flow does the
same for everything (it stays idempotent: a rescan after a refresh changes nothing).

A writer that writes many facts in one transaction (an import, ``demo load``) wraps them in
``deferred(session)``: the refreshes it asks for are merged and run once at the end.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlmodel import Session

from clock import today_in_geneva
from models import revision
from models.obligations import (
    ObligationChange,
    Scope,
    SyncResult,
    compute_obligations,
    sync_obligations,
)
from models.tracking import registers as registers_of
from models.tracking import tracking_since as tracking_since_of
from rules.treaties import CCM, TREATIES, Treaty
from settings import get_settings

PENDING = "ccm.refresh.pending"
CHANGES = "ccm.refresh.changes"
REVISION = "ccm.refresh.revision"


@dataclass
class _Pending:
    states: set[str] = field(default_factory=set)
    all_states: bool = False
    committee: bool = False
    treaties: set[str] | None = field(default_factory=set)  # codes; None: every convention

    def add_treaties(self, codes: Iterable[str] | None) -> None:
        if codes is None or self.treaties is None:
            self.treaties = None
        else:
            self.treaties |= {c.upper() for c in codes}


def refresh_obligations(
    *,
    session: Session,
    states: Iterable[str] = (),
    committee: bool = False,
    all_states: bool = False,
    as_of: dt.date | None = None,
    treaties: Iterable[str] | None = None,
) -> SyncResult | None:
    """Recompute and upsert the obligations of ``states`` (every State with ``all_states``)
    and, with ``committee``, the Committee's own (meeting funds, invoice follow-ups, action
    items), inside the caller's transaction; bump the data revision.

    ``treaties`` (codes, e.g. ``["CCM"]``): the conventions whose facts the writer changed;
    only their rows are refreshed (and, in scope, retired). None, the default: every
    convention. A State's facts under one convention never change its obligations under
    another: each keeps its own tables (``models.treaty_tables``), registers of facts and
    tracking-since day. The Committee's own obligations are the CCM's.

    ``as_of`` defaults to today in Geneva. Inside ``deferred(session)`` the request is only
    noted (and None returned); the block's end runs it. The changes and the data revision
    the write produces are kept on the session (``changes(session)``,
    ``written_revision(session)``) for the caller to announce after it commits.
    """
    pending = session.info.get(PENDING)
    wanted = {s.upper() for s in states}
    if pending is None:
        request = _Pending(wanted, all_states, committee)
        request.add_treaties(treaties)
        return _run(session, request, as_of)
    pending.states |= wanted
    pending.all_states |= all_states
    pending.committee |= committee
    pending.add_treaties(treaties)
    return None


@contextmanager
def deferred(session: Session, *, as_of: dt.date | None = None) -> Iterator[None]:
    """Merge the refreshes asked for inside the block into one, run when it ends normally."""
    if session.info.get(PENDING) is not None:  # nested: the outer block runs it
        yield
        return
    pending = _Pending()
    session.info[PENDING] = pending
    try:
        yield
    finally:
        session.info.pop(PENDING, None)
    if pending.states or pending.all_states or pending.committee:
        _run(session, pending, as_of)


def changes(session: Session) -> list[ObligationChange]:
    """The obligation changes the refreshes in this session made (to announce as events)."""
    return list(session.info.get(CHANGES, []))


def written_revision(session: Session) -> int | None:
    """The data revision this session's writes produce (committed with them), read before the
    commit and announced after it (``flows.events``); None if nothing was refreshed."""
    return session.info.get(REVISION)


def _run(session: Session, pending: _Pending, as_of: dt.date | None) -> SyncResult:
    settings = get_settings()
    day = as_of or today_in_geneva()
    session.flush()
    states = None if pending.all_states else sorted(pending.states)
    # the conventions asked for (every one by default; the CCM's with the Committee's own),
    # each refreshed completely for the States in scope
    codes = (set(TREATIES) if pending.treaties is None
             else pending.treaties | ({CCM.code} if pending.committee else set()))
    treaties = tuple(t for code, t in TREATIES.items() if code in codes)
    computed = compute_obligations(
        session=session, as_of=day, settings=settings, states=states, committee=pending.committee,
        treaties=treaties,
    )
    result = sync_obligations(
        session=session,
        computed=computed,
        as_of=day,
        tracking_since=tracking_since_of(session=session, override=settings.tracking_since),
        tracking_by_treaty=_tracking_of_others(session, treaties, settings.tracking_since),
        registers=registers_of(session=session),
        scope=Scope(None if states is None else frozenset(states), pending.committee,
                    frozenset(t.code for t in treaties)),
    )
    session.info[REVISION] = revision.bump(session)
    session.info.setdefault(CHANGES, []).extend(result.changes)
    return result


def _tracking_of_others(
    session: Session, treaties: tuple[Treaty, ...], override: dt.date | None
) -> dict[str, dt.date | None]:
    """The tracking-since day of each convention other than the CCM among ``treaties`` (the
    CCM's is ``tracking_since``); their tables are loaded only when one is refreshed."""
    others = [t for t in treaties if t is not CCM]
    if not others:
        return {}
    from models.treaty_facts import treaty_tracking_since

    return {t.code: treaty_tracking_since(session=session, treaty=t, override=override) for t in others}
