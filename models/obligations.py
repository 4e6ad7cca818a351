"""Obligations: compute them from the registry, and keep the table in step (upsert by key).

``compute_obligations`` is read-only: the CLI's ``deadlines`` shows it directly.
``sync_obligations`` is what the scan flow persists: new keys are inserted, a moved due date
bumps ``version``, and it reports what changed so the flow can announce it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import bindparam, insert, update
from sqlmodel import Session, select

from models.committee_obligations import committee_obligations, deciding_meetings
from models.facts import load_state_facts
from models.tables import Obligation as ObligationRow
from rules.facts import RulePolicy
from rules.obligations import Obligation, Status, all_obligations, status_on
from rules.treaties import CCM, Treaty, treaty_of_key
from settings import Settings


def rule_policy(settings: Settings) -> RulePolicy:
    return RulePolicy(
        first_annual_period=settings.first_annual_period,
        extension_request_lead_months=settings.extension_request_lead_months,
        assumed_meeting_months_before_deadline=settings.assumed_meeting_months_before_deadline,
    )


def decision_meeting_dates(*, session: Session) -> list[dt.date]:
    """Opening dates of recorded MSPs and Review Conferences (they decide extensions)."""
    return deciding_meetings(session=session)


def compute_obligations(
    *,
    session: Session,
    as_of: dt.date,
    settings: Settings,
    states: Sequence[str] | None = None,
    treaties: Sequence[Treaty] = (CCM,),
) -> list[Obligation]:
    """Every obligation the registry implies on ``as_of`` under ``treaties`` (the CCM by
    default; the Committee's own obligations come with the CCM). Nothing is written."""
    from models.treaty_facts import treaty_obligations

    found: list[Obligation] = []
    if CCM in treaties:
        facts = load_state_facts(session=session, states=states)
        meetings = decision_meeting_dates(session=session)
        found += [
            *all_obligations(facts, as_of, rule_policy(settings), meetings),
            *committee_obligations(session=session, as_of=as_of, states=states),
        ]
    for treaty in treaties:
        if treaty is not CCM:
            found += treaty_obligations(
                session=session, treaty=treaty, as_of=as_of, policy=rule_policy(settings),
                states=states,
            )
    return found


@dataclass
class ObligationChange:
    key: str
    state: str | None
    kind: str
    due: dt.date
    version: int
    change: str  # created | changed | met | overdue
    previous_due: dt.date | None = None


@dataclass
class SyncResult:
    total: int = 0
    changes: list[ObligationChange] = field(default_factory=list)

    def of(self, change: str) -> list[ObligationChange]:
        return [c for c in self.changes if c.change == change]


def sync_obligations(
    *,
    session: Session,
    computed: Sequence[Obligation],
    as_of: dt.date,
    tracking_since: dt.date | None,
    tracking_by_treaty: Mapping[str, dt.date | None] | None = None,
) -> SyncResult:
    """Upsert ``computed`` by key in one SELECT and two bulk statements; say what changed.

    A row whose key is no longer computed (for instance after a withdrawal) is left as it was:
    history is never deleted.
    """
    existing = {row.key: row for row in session.exec(select(ObligationRow)).all()}
    inserts: list[dict[str, object]] = []
    updates: list[dict[str, object]] = []
    result = SyncResult(total=len(computed))
    by_treaty = tracking_by_treaty or {}
    for obligation in computed:
        treaty = treaty_of_key(obligation.key)
        status = status_on(obligation, as_of, by_treaty.get(treaty, tracking_since)).value
        row = existing.get(obligation.key)
        values = {
            "key": obligation.key,
            "state": obligation.state,
            "kind": obligation.kind,
            "period": obligation.period,
            "due": obligation.due,
            "original_due": obligation.original_due,
            "status": status,
            "met_on": obligation.met_on,
            "note": obligation.note,
            "scanned_on": as_of,
            "theme": obligation.theme,
            "treaty": treaty,
        }
        if row is None:
            inserts.append({**values, "version": 1})
            result.changes.append(_change(obligation, 1, "created"))
            if status == Status.OVERDUE:
                result.changes.append(_change(obligation, 1, "overdue"))
            continue
        version = row.version + 1 if row.due != obligation.due else row.version
        if row.due != obligation.due:
            result.changes.append(_change(obligation, version, "changed", row.due))
        if status != row.status and status in (Status.MET, Status.OVERDUE):
            result.changes.append(_change(obligation, version, status))
        if (
            version != row.version
            or status != row.status
            or row.met_on != obligation.met_on
            or row.note != obligation.note
            or row.theme != obligation.theme
            or row.original_due != obligation.original_due
            or row.scanned_on != as_of
        ):
            updates.append({**values, "version": version, "b_key": obligation.key})
    if inserts:
        session.execute(insert(ObligationRow), inserts)
    if updates:
        table = ObligationRow.__table__  # type: ignore[attr-defined]
        statement = (
            update(table)
            .where(table.c.key == bindparam("b_key"))
            .values({name: bindparam(name) for name in updates[0] if name not in ("key", "b_key")})
        )
        session.connection().execute(statement, updates)
    return result


def _change(
    obligation: Obligation, version: int, change: str, previous: dt.date | None = None
) -> ObligationChange:
    return ObligationChange(
        key=obligation.key,
        state=obligation.state,
        kind=obligation.kind,
        due=obligation.due,
        version=version,
        change=change,
        previous_due=previous,
    )
