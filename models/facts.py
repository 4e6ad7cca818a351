"""Read the registry's rows into the plain facts the rules take."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from sqlmodel import Session, select

from models.tables import ArticleFact, ReportReceived, State
from rules.dates import end_of_period
from rules.facts import ArticleFacts, StateFacts


def load_state_facts(*, session: Session, states: Sequence[str] | None = None) -> list[StateFacts]:
    """One ``StateFacts`` per State (signatories included: the rules give them nothing)."""
    query = select(State).order_by(State.iso3)
    if states:
        query = query.where(State.iso3.in_(states))  # type: ignore[attr-defined]
    rows = session.exec(query).all()
    wanted = {row.iso3 for row in rows}

    report_query = select(ReportReceived)
    article_query = select(ArticleFact).order_by(ArticleFact.id)
    if states:  # a rescan of a few States reads only their rows
        report_query = report_query.where(ReportReceived.iso3.in_(wanted))  # type: ignore[attr-defined]
        article_query = article_query.where(ArticleFact.iso3.in_(wanted))  # type: ignore[attr-defined]
    reports: dict[str, list[ReportReceived]] = defaultdict(list)
    for report in session.exec(report_query).all():
        reports[report.iso3].append(report)
    articles: dict[str, list[ArticleFact]] = defaultdict(list)
    for fact in session.exec(article_query).all():
        articles[fact.iso3].append(fact)

    return [_state_facts(row, reports[row.iso3], articles[row.iso3]) for row in rows]


def _state_facts(
    state: State, reports: list[ReportReceived], article_rows: list[ArticleFact]
) -> StateFacts:
    initial = [r for r in reports if r.kind == "initial"]
    annual = {r.period: r.received_on for r in reports if r.kind == "annual"}
    return StateFacts(
        iso3=state.iso3,
        deposit_date=state.deposit_date,
        withdrawal_effective=state.withdrawal_effective_date,
        initial_report_received=initial[0].received_on if initial else None,
        initial_report_known=bool(initial),
        annual_reports_received=annual,
        articles=tuple(
            _article_facts(article, [r for r in article_rows if r.article == article])
            for article in sorted({r.article for r in article_rows})
        ),
    )


def _article_facts(article: int, rows: list[ArticleFact]) -> ArticleFacts:
    completions: list[dt.date] = []
    completion_known = False
    for row in rows:
        if row.completed_date:
            completions.append(row.completed_date)
        elif row.completed_period:
            completions.append(end_of_period(row.completed_period))
    hostilities = [r.hostilities_ended for r in rows if r.hostilities_ended]
    return ArticleFacts(
        article=article,
        extensions=tuple(r.extended_deadline for r in rows if r.extended_deadline),
        # sources may disagree on when the work ended: the latest date is the safe reading
        completed_on=max(completions) if completions else None,
        completion_known=completion_known or bool(completions),
        hostilities_ended=max(hostilities) if hostilities else None,
    )
