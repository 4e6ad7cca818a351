"""From a State's facts to its dated obligations (Art. 3, 4, 7), and their status on a day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum

from rules.articles import deadline_chain, extension_request_due, original_deadline
from rules.entry_into_force import entry_into_force
from rules.facts import ArticleFacts, RulePolicy, StateFacts
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
    OPEN = "open"
    MET = "met"
    OVERDUE = "overdue"
    # Fell due before tracking began with no fact recorded: history, not news.
    HISTORY = "history"


DEADLINE_KIND = {3: Kind.ART3_STOCKPILE, 4: Kind.ART4_CLEARANCE}
REQUEST_KIND = {3: Kind.ART3_EXTENSION_REQUEST, 4: Kind.ART4_EXTENSION_REQUEST}


@dataclass(frozen=True, slots=True)
class Obligation:
    """One dated thing a State (or the Committee) must do. ``key`` is stable across runs."""

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

    def status(self, as_of: dt.date, tracking_since: dt.date | None) -> Status:
        return status_on(self, as_of, tracking_since)


def status_on(obligation: Obligation, as_of: dt.date, tracking_since: dt.date | None) -> Status:
    """Met, open (due today or later), overdue, or history (due before tracking began)."""
    if obligation.met:
        return Status.MET
    if obligation.due >= as_of:
        return Status.OPEN
    if tracking_since is not None and obligation.due < tracking_since:
        return Status.HISTORY
    return Status.OVERDUE


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
    """
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
    original = original_deadline(article.article, eif, article.hostilities_ended, treaty)
    chain = deadline_chain(original, article.extensions)
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
        # No request is needed when the work was done by the deadline it would extend.
        done_in_time = completed and (
            article.completed_on is None or article.completed_on <= deadline
        )
        lead = policy.extension_request_lead_months
        basis = (
            "deciding meeting estimated" if estimated else f"{lead} months before deciding meeting"
        )
        yield Obligation(
            key=obligation_key(iso3, rule.request_kind, deadline.isoformat(), treaty),
            state=iso3,
            kind=rule.request_kind,
            due=request_due,
            original_due=request_due,
            period=deadline.isoformat(),
            met=granted or done_in_time,
            met_on=article.completed_on if done_in_time and not granted else None,
            note=(
                f"Art. {article.article}: request to extend the {deadline.isoformat()} "
                f"deadline, if needed ({basis})"
            ),
        )
