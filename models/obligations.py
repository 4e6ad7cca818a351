"""Obligations: compute them from the registry, and keep the table in step (upsert by key).

``compute_obligations`` is read-only: the CLI's ``deadlines`` shows it directly.
``sync_obligations`` is what the scan flow persists: new keys are inserted, a moved due date
bumps ``version``, and it reports what changed so the flow can announce it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import and_, bindparam, false, insert, or_, update
from sqlmodel import Session, select

from models.committee_obligations import committee_obligations, deciding_meetings
from models.convention_meetings import calendar_openings, treaty_calendar
from models.facts import load_state_facts
from models.tables import Obligation as ObligationRow
from rules.facts import RulePolicy
from rules.obligations import Obligation, Registers, Status, all_obligations, status_on
from rules.treaties import CCM, Treaty, treaty_of_key
from settings import Settings


def rule_policy(settings: Settings) -> RulePolicy:
    return RulePolicy(
        first_annual_period=settings.first_annual_period,
        extension_request_lead_months=settings.extension_request_lead_months,
        assumed_meeting_months_before_deadline=settings.assumed_meeting_months_before_deadline,
    )


def decision_meeting_dates(*, session: Session, treaty: Treaty = CCM) -> list[dt.date]:
    """Opening days of ``treaty``'s MSPs and Review Conferences that decide extensions: the
    convention's real calendar (``data/ccm_meetings.csv``, ``data/apmbc_meetings.csv``) and
    any of its MSPs/RCs recorded in the database (a meeting scheduled beyond the calendar),
    oldest first. Every meeting on record counts, whatever the day asked: a meeting row keeps
    no day it became known."""
    days = set(calendar_openings(treaty_calendar(treaty.code)))
    days |= set(deciding_meetings(session=session, treaty=treaty.code))
    return sorted(days)


def compute_obligations(
    *,
    session: Session,
    as_of: dt.date,
    settings: Settings,
    states: Sequence[str] | None = None,
    committee: bool = False,
    treaties: Sequence[Treaty] = (CCM,),
) -> list[Obligation]:
    """Every obligation the registry implies on ``as_of`` under ``treaties`` (the CCM by
    default; the Committee's own obligations come under the convention of their meeting or
    invoice, action items under the CCM), from the facts in effect on that day. Nothing is
    written.

    With ``states``, only those States' obligations (their treaty deadlines, and the
    Committee's obligations that concern one of them), plus, with ``committee``, all of the
    Committee's own. ``states`` empty and ``committee``: the Committee's only.
    """
    found: list[Obligation] = []
    if CCM in treaties and (states is None or states):
        facts = load_state_facts(session=session, states=states, as_of=as_of)
        meetings = decision_meeting_dates(session=session)
        found.extend(all_obligations(facts, as_of, rule_policy(settings), meetings))
    # the Committee's own, under each chosen convention (an APMBC meeting's funds, an APMBC
    # invoice's follow-ups); action items are the CCM's
    codes = tuple(t.code for t in treaties)
    if committee or states is None:
        found.extend(committee_obligations(session=session, as_of=as_of, treaties=codes))
    elif states:
        found.extend(committee_obligations(session=session, as_of=as_of, states=states,
                                           treaties=codes))
    for treaty in treaties:
        if treaty is not CCM and (states is None or states):
            from models.treaty_facts import treaty_obligations  # its tables, only when asked for

            found += treaty_obligations(
                session=session, treaty=treaty, as_of=as_of, policy=rule_policy(settings),
                states=states, decision_meetings=decision_meeting_dates(session=session, treaty=treaty),
            )
    return found


@dataclass
class ObligationChange:
    key: str
    state: str | None
    kind: str
    due: dt.date
    version: int
    change: str  # created | changed | met | met_late | not_needed | overdue | retired
    previous_due: dt.date | None = None


@dataclass
class SyncResult:
    total: int = 0
    changes: list[ObligationChange] = field(default_factory=list)

    def of(self, change: str) -> list[ObligationChange]:
        return [c for c in self.changes if c.change == change]


COMMITTEE_KINDS = ("meeting_funds", "invoice_followup", "action_item")


@dataclass(frozen=True)
class Scope:
    """Which stored rows a computation is complete for: the rows of ``states`` (every
    State when ``states`` is None), and the Committee's own rows, under the treaties
    ``treaties`` (codes; the CCM by default: a CCM refresh never retires an APMBC row)."""

    states: frozenset[str] | None = None
    committee: bool = True
    treaties: frozenset[str] = frozenset({CCM.code})

    @classmethod
    def everything(cls) -> Scope:
        return cls(None, True)

    def condition(self):  # type: ignore[no-untyped-def]
        table = ObligationRow.__table__  # type: ignore[attr-defined]
        treaty = table.c.treaty.in_(sorted(self.treaties))
        if self.states is None:
            return treaty  # every row of these treaties
        parts = []
        if self.states:
            parts.append(table.c.state.in_(sorted(self.states)))
        if self.committee:
            parts.append(table.c.kind.in_(COMMITTEE_KINDS))
        return and_(treaty, or_(*parts)) if parts else false()


def sync_obligations(
    *,
    session: Session,
    computed: Sequence[Obligation],
    as_of: dt.date,
    tracking_since: dt.date | None,
    tracking_by_treaty: Mapping[str, dt.date | None] | None = None,
    registers: Registers | None = None,
    scope: Scope | None = None,
) -> SyncResult:
    """Upsert ``computed`` by key in one SELECT and two bulk statements; say what changed.

    ``scope`` says which stored rows ``computed`` is complete for (see ``Scope``). A row in
    scope whose key is no longer computed (after a withdrawal, a corrected deposit) is
    retired: kept for the record with status ``retired``, which every channel skips; it is
    never deleted. With no ``scope``, no row is retired.
    """
    table = ObligationRow.__table__  # type: ignore[attr-defined]
    query = select(ObligationRow)
    condition = scope.condition() if scope is not None else None
    if condition is not None:
        query = query.where(condition)
    existing = {row.key: row for row in session.exec(query).all()}
    inserts: list[dict[str, object]] = []
    updates: list[dict[str, object]] = []
    result = SyncResult(total=len(computed))
    by_treaty = tracking_by_treaty or {}
    other_registers: dict[str, dict[str, dt.date | None]] = {}
    for obligation in computed:
        treaty = treaty_of_key(obligation.key)
        # the registers in ``registers`` are the CCM's; another convention's are its own
        # (``models.treaty_facts.treaty_registers``: none kept until its register is imported)
        if treaty == CCM.code:
            kept = registers
        elif treaty in other_registers:
            kept = other_registers[treaty]
        else:
            from models.treaty_facts import treaty_registers  # its tables, only when needed

            kept = other_registers[treaty] = treaty_registers(session=session, treaty=treaty)
        status = status_on(obligation, as_of, by_treaty.get(treaty, tracking_since), kept).value
        row = existing.pop(obligation.key, None)
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
        if status != row.status and status in ANNOUNCED:
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
    # A row a refresh for a later day produced is not retired by a scan as of an earlier day
    # (annual reports not yet due then, say): only the newest day's answer retires.
    retired = [
        row for row in existing.values()
        if scope is not None and row.status != Status.RETIRED
        and (row.scanned_on is None or row.scanned_on <= as_of)
    ]
    if inserts:
        session.execute(insert(ObligationRow), inserts)
    if updates:
        statement = (
            update(table)
            .where(table.c.key == bindparam("b_key"))
            .values({name: bindparam(name) for name in updates[0] if name not in ("key", "b_key")})
        )
        session.connection().execute(statement, updates)
    if retired:
        session.connection().execute(
            update(table)
            .where(table.c.key.in_([row.key for row in retired]))
            .values(status=Status.RETIRED.value, scanned_on=as_of)
        )
        for row in retired:
            result.changes.append(ObligationChange(
                key=row.key, state=row.state, kind=row.kind, due=row.due, version=row.version,
                change="retired",
            ))
    return result


# Status changes announced as `ccm.obligation.<status>` events.
ANNOUNCED = (Status.MET, Status.MET_LATE, Status.NOT_NEEDED, Status.OVERDUE)


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
