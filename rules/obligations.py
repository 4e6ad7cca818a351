"""From a State's facts to its dated obligations (Art. 3, 4, 7), and their status on a day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from rules.articles import deadlines_held, extension_request_due
from rules.entry_into_force import entry_into_force
from rules.facts import ArticleFacts, RulePolicy, StateFacts, facts_in_effect
from rules.reports import (
    FirstAnnualPeriod,
    annual_report_due,
    first_annual_period,
    initial_report_due,
)
from rules.treaties import CCM, Treaty


class Kind(StrEnum):
    ART7_INITIAL = "art7_initial"
    ART7_ANNUAL = "art7_annual"
    ART3_STOCKPILE = "art3_stockpile"
    ART4_CLEARANCE = "art4_clearance"
    ART3_EXTENSION_REQUEST = "art3_extension_request"
    ART4_EXTENSION_REQUEST = "art4_extension_request"
    # APMBC (rules.treaties.APMBC): Art. 4 has no extension, so no request kind
    ART4_STOCKPILE = "art4_stockpile"
    ART5_CLEARANCE = "art5_clearance"
    ART5_EXTENSION_REQUEST = "art5_extension_request"


class Status(StrEnum):
    OPEN = "open"  # due today or later, not done
    OVERDUE = "overdue"  # due before today, no fact recorded, and the register is kept
    MET = "met"  # done on or before the due day (or on an unknown day)
    MET_LATE = "met_late"  # done, after the due day (``met_on`` says when)
    NOT_NEEDED = "not_needed"  # an extension request made moot by completion in time
    # Past due with no fact recorded, but no register of that kind of fact is kept: nobody
    # knows whether it is late ("no record of receipt; import the register").
    UNVERIFIED = "unverified"
    # Fell due before tracking began with no fact recorded: history, not news.
    HISTORY = "history"
    # Stored earlier, no longer produced by the rules (a withdrawal, a corrected deposit):
    # kept in the table for the record, skipped by every channel.
    RETIRED = "retired"


# Statuses of work that is done, whatever the day: no reminder, no alarm.
CLOSED = frozenset({Status.MET, Status.MET_LATE, Status.NOT_NEEDED})
# Statuses that no channel announces as something to do.
QUIET = frozenset({*CLOSED, Status.HISTORY, Status.RETIRED, Status.UNVERIFIED})

DEADLINE_KIND = {3: Kind.ART3_STOCKPILE, 4: Kind.ART4_CLEARANCE}
REQUEST_KIND = {3: Kind.ART3_EXTENSION_REQUEST, 4: Kind.ART4_EXTENSION_REQUEST}

# The register of facts a kind's "met" depends on. While a register is not kept, a past-due
# obligation of that kind with nothing recorded is `unverified`, not `overdue`.
REPORTS_REGISTER = "reports"
KIND_REGISTER: dict[str, str] = {
    Kind.ART7_INITIAL: REPORTS_REGISTER,
    Kind.ART7_ANNUAL: REPORTS_REGISTER,
}
# register name -> the day from which it is kept (None: not kept)
Registers = Mapping[str, "dt.date | None"]


@dataclass(frozen=True, slots=True)
class Obligation:
    """One dated thing a State (or the Committee) must do. ``key`` is stable across runs.

    ``met`` says the work is done (on ``met_on`` when known). ``outcome`` overrides how a done
    obligation is told (``met``, ``met_late`` or ``not_needed``) where comparing ``met_on``
    with ``due`` would be wrong (an extension request is decided after it was due).
    """

    key: str
    state: str | None
    kind: str
    due: dt.date
    original_due: dt.date
    period: str | None = None
    met: bool = False
    met_on: dt.date | None = None
    note: str = ""
    # The theme that owns it when its kind has no fixed theme (an action item).
    theme: str | None = None
    outcome: Status | None = None

    def status(
        self, as_of: dt.date, tracking_since: dt.date | None, registers: Registers | None = None
    ) -> Status:
        return status_on(self, as_of, tracking_since, registers)


def closed_status(obligation: Obligation) -> Status:
    """How a done obligation is told: ``outcome`` when the rules set it, else met_late when
    ``met_on`` is after ``due``, else met."""
    if obligation.outcome is not None:
        return obligation.outcome
    if obligation.met_on is not None and obligation.met_on > obligation.due:
        return Status.MET_LATE
    return Status.MET


def pending_status(
    kind: str,
    due: dt.date,
    as_of: dt.date,
    tracking_since: dt.date | None,
    registers: Registers | None = None,
) -> Status:
    """The status on ``as_of`` of an obligation not done: open, history, unverified, overdue.

    Readers of the stored table call it too (with the row's kind and due), so a status
    stored on an earlier day is never served as today's.
    """
    if due >= as_of:
        return Status.OPEN
    if tracking_since is not None and due < tracking_since:
        return Status.HISTORY
    register = KIND_REGISTER.get(kind)
    if registers is not None and register is not None:
        kept_since = registers.get(register)
        if kept_since is None or due < kept_since:
            return Status.UNVERIFIED
    return Status.OVERDUE


def status_on(
    obligation: Obligation,
    as_of: dt.date,
    tracking_since: dt.date | None,
    registers: Registers | None = None,
) -> Status:
    """Done (met, met_late, not_needed), or else ``pending_status`` on ``as_of``.

    ``registers`` None: every register counts as kept (no `unverified`).
    """
    if obligation.met:
        return closed_status(obligation)
    return pending_status(obligation.kind, obligation.due, as_of, tracking_since, registers)


def current_status(
    stored: str,
    kind: str,
    due: dt.date,
    as_of: dt.date,
    tracking_since: dt.date | None,
    registers: Registers | None = None,
) -> str:
    """A stored row's status on ``as_of``.

    Only time changes a status without a write: an ``open`` row whose due day has passed is
    derived again for the day (overdue, unverified or history). Every other status was set
    by the writer or scan that last refreshed the row from the facts and stays as stored
    (a writer that changes what they depend on, such as a register kept, refreshes them).
    """
    if stored != Status.OPEN or due >= as_of:
        return stored
    return pending_status(kind, due, as_of, tracking_since, registers).value


def obligation_key(
    state: str | None, kind: str, period: str | None = None, treaty: Treaty = CCM
) -> str:
    """``CODE:ISO3:kind[:period]``: ``CCM:AFG:art7_initial`` (the CCM's keys keep their
    form, so feed UIDs never change), ``APMBC:AFG:art5_clearance``; ``CC`` for the
    Committee's own obligations."""
    parts = [treaty.code, state or "CC", kind]
    if period is not None:
        parts.append(period)
    return ":".join(parts)


def state_obligations(
    facts: StateFacts,
    as_of: dt.date,
    policy: RulePolicy,
    decision_meetings: Sequence[dt.date] = (),
    treaty: Treaty = CCM,
) -> list[Obligation]:
    """Every obligation of one State under ``treaty`` known on ``as_of``: history, current
    and next. ``facts`` are the State's facts under that treaty (its own deposit, reports,
    articles); keys start with the treaty's code.

    Annual reports are listed up to the one covering ``as_of``'s year (due next 30 April).
    After a withdrawal takes effect (Art. 20) no obligation falls due: those due later are
    not generated; those due earlier stay as history.

    Only the facts in effect on ``as_of`` count (``facts_in_effect``): a report received,
    an extension granted or a completion after ``as_of`` is not yet known on that day.
    """
    facts = facts_in_effect(facts, as_of)
    if facts.deposit_date is None:
        return []  # a signatory has no deadlines
    eif = entry_into_force(facts.deposit_date, treaty)
    found = [
        *_article7(facts, eif, as_of, policy, treaty),
        *(
            obligation
            for article in facts.articles
            for obligation in _article3_4(
                facts.iso3, article, eif, policy, decision_meetings, treaty
            )
        ),
    ]
    if facts.withdrawal_effective is not None:
        found = [o for o in found if o.due <= facts.withdrawal_effective]
    return found


def all_obligations(
    registry: Iterable[StateFacts],
    as_of: dt.date,
    policy: RulePolicy,
    decision_meetings: Sequence[dt.date] = (),
    treaty: Treaty = CCM,
) -> list[Obligation]:
    meetings = sorted(decision_meetings)
    return [
        obligation
        for facts in registry
        for obligation in state_obligations(facts, as_of, policy, meetings, treaty)
    ]


def _article7(
    facts: StateFacts, eif: dt.date, as_of: dt.date, policy: RulePolicy, treaty: Treaty
) -> Iterator[Obligation]:
    initial = initial_report_due(eif, treaty)
    days = treaty.reporting.initial_days
    article = treaty.reporting.article
    received = facts.initial_report_received
    yield Obligation(
        key=obligation_key(facts.iso3, treaty.reporting.initial_kind, treaty=treaty),
        state=facts.iso3,
        kind=treaty.reporting.initial_kind,
        due=initial,
        original_due=initial,
        met=received is not None or facts.initial_report_known,
        met_on=received,
        note=f"Art. {article}(1): initial transparency report, {days} days after entry into force",
    )
    rule: FirstAnnualPeriod = (
        "initial_due_year" if policy.first_annual_period == "initial_due_year" else "eif_year"
    )
    for period in range(first_annual_period(eif, rule, treaty), as_of.year + 1):
        due = annual_report_due(period, treaty)
        met = period in facts.annual_reports_received
        yield Obligation(
            key=obligation_key(facts.iso3, treaty.reporting.annual_kind, str(period), treaty),
            state=facts.iso3,
            kind=treaty.reporting.annual_kind,
            due=due,
            original_due=due,
            period=str(period),
            met=met,
            met_on=facts.annual_reports_received.get(period) if met else None,
            note=f"Art. {article}(2): annual transparency report covering {period}",
        )


def _article3_4(
    iso3: str,
    article: ArticleFacts,
    eif: dt.date,
    policy: RulePolicy,
    decision_meetings: Sequence[dt.date],
    treaty: Treaty = CCM,
) -> Iterator[Obligation]:
    rule = treaty.article(article.article)
    chain = deadlines_held(article, eif, treaty)
    original = chain[0]
    completed = article.completed_on is not None or article.completion_known
    what = rule.work
    extended = f"; extended {len(chain) - 1} time(s)" if len(chain) > 1 else ""
    yield Obligation(
        key=obligation_key(iso3, rule.kind, treaty=treaty),
        state=iso3,
        kind=rule.kind,
        due=chain[-1],
        original_due=original,
        met=completed,
        met_on=article.completed_on,
        note=f"Art. {article.article}: {what}{extended}",
    )
    if rule.request_kind is None:
        return  # no extension mechanism (APMBC Art. 4): nothing to request
    for step, deadline in enumerate(chain):
        request_due, estimated = extension_request_due(
            deadline,
            decision_meetings,
            lead_months=policy.extension_request_lead_months,
            assumed_meeting_months=policy.assumed_meeting_months_before_deadline,
        )
        granted = step + 1 < len(chain)
        granted_on = article.granted_on(chain[step + 1]) if granted else None
        # No request is needed when the work was done by the deadline it would extend.
        done_in_time = completed and (
            article.completed_on is None or article.completed_on <= deadline
        )
        lead = policy.extension_request_lead_months
        basis = (
            "deciding meeting estimated: the meeting calendar does not reach the deadline yet"
            if estimated else f"{lead} months before the deciding meeting"
        )
        outcome: Status | None = None
        met_on: dt.date | None = None
        if granted:
            met_on = granted_on
            late = granted_on is not None and granted_on > deadline
            outcome = Status.MET_LATE if late else Status.MET
        elif done_in_time:
            met_on = article.completed_on
            outcome = Status.NOT_NEEDED
        yield Obligation(
            key=obligation_key(iso3, rule.request_kind, deadline.isoformat(), treaty),
            state=iso3,
            kind=rule.request_kind,
            due=request_due,
            original_due=request_due,
            period=deadline.isoformat(),
            met=granted or done_in_time,
            met_on=met_on,
            note=(
                f"Art. {article.article}: request to extend the {deadline.isoformat()} "
                f"deadline, if needed ({basis})"
                + (f"; granted {granted_on.isoformat()}" if granted_on else "")
            ),
            outcome=outcome,
        )
