"""Read the registry's rows into the plain facts the rules take, each with the day it took
effect (see ``rules.facts.facts_in_effect``).

Days in effect: a State's deposit and withdrawal, a report's received day, a completion's
day (a month or year only: its last day), the end of hostilities, and an extension's grant
day (``models.convention_meetings.grant_day``: the closing day of the meeting named in
``extension_granted_at``; inferred from the calendar when none is named; the day the row was
recorded when the named meeting is not on the calendar; unknown - in effect on every day -
for rows recorded before revision 0007 with no meeting to go by).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from sqlmodel import Session, select

from models.convention_meetings import ConventionMeeting, grant_day, load_calendar
from models.tables import ArticleFact, ReportReceived, State
from rules.articles import original_deadline
from rules.dates import GENEVA, end_of_period
from rules.entry_into_force import entry_into_force
from rules.facts import ArticleFacts, Extension, StateFacts, facts_in_effect
from rules.treaties import CCM, Treaty

# (an extension row, the original deadline, every step's new deadline) -> the day it took effect
GrantedOn = Callable[[Any, dt.date | None, list[dt.date]], dt.date | None]


def load_state_facts(
    *, session: Session, states: Sequence[str] | None = None, as_of: dt.date | None = None
) -> list[StateFacts]:
    """One ``StateFacts`` per State (signatories included: the rules give them nothing).

    With ``as_of``, only the facts in effect on that day (``facts_in_effect``): a report
    received, an extension granted, a completion or a deposit after ``as_of`` is left out.
    """
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

    calendar = load_calendar()

    def granted(row: Any, original: dt.date | None, untils: list[dt.date]) -> dt.date | None:
        return _granted_on(row, original, untils, calendar)

    found = [state_facts(row, reports[row.iso3], articles[row.iso3], granted_on=granted) for row in rows]
    if as_of is None:
        return found
    return [facts_in_effect(facts, as_of) for facts in found]


def state_facts(
    state: Any,
    reports: Sequence[Any],
    article_rows: Sequence[Any],
    *,
    granted_on: GrantedOn,
    treaty: Treaty = CCM,
) -> StateFacts:
    """One State's rows under ``treaty`` (``State``/``TreatyParty``, its reports received,
    its article facts) as the plain facts the rules take. ``granted_on`` gives each
    extension step's day in effect: the CCM's from its meetings calendar (``_granted_on``),
    another treaty's from the meeting's year and the day recorded
    (``models.treaty_facts.granted_on``)."""
    initial = [r for r in reports if r.kind == "initial"]
    annual = {r.period: r.received_on for r in reports if r.kind == "annual"}
    eif = entry_into_force(state.deposit_date, treaty) if state.deposit_date else None
    return StateFacts(
        iso3=state.iso3,
        deposit_date=state.deposit_date,
        withdrawal_effective=state.withdrawal_effective_date,
        initial_report_received=initial[0].received_on if initial else None,
        initial_report_known=bool(initial),
        annual_reports_received=annual,
        articles=tuple(
            _article_facts(article, [r for r in article_rows if r.article == article], eif, granted_on, treaty)
            for article in sorted({r.article for r in article_rows})
        ),
    )


def _article_facts(
    article: int,
    rows: list[Any],
    eif: dt.date | None,
    granted_on: GrantedOn,
    treaty: Treaty,
) -> ArticleFacts:
    completions: list[dt.date] = []
    for row in rows:
        if row.completed_date:
            completions.append(row.completed_date)
        elif row.completed_period:
            completions.append(end_of_period(row.completed_period))
    hostilities = [r.hostilities_ended for r in rows if r.hostilities_ended]
    ended = max(hostilities) if hostilities else None
    known = article in treaty.articles
    original = original_deadline(article, eif, ended, treaty) if eif and known else None
    untils = sorted({r.extended_deadline for r in rows if r.extended_deadline})
    steps = []
    for row in rows:
        if not row.extended_deadline:
            continue
        steps.append(Extension(row.extended_deadline, granted_on(row, original, untils)))
    return ArticleFacts(
        article=article,
        extensions=tuple(steps),
        # sources may disagree on when the work ended: the latest date is the safe reading
        completed_on=max(completions) if completions else None,
        completion_known=bool(completions),
        hostilities_ended=ended,
    )


def _granted_on(
    row: ArticleFact,
    original: dt.date | None,
    untils: list[dt.date],
    calendar: Sequence[ConventionMeeting],
) -> dt.date | None:
    """The day the step in ``row`` took effect (see the module's docstring)."""
    assert row.extended_deadline is not None
    earlier = [u for u in untils if u < row.extended_deadline]
    extends = max([*earlier, *([original] if original else [])], default=row.extended_deadline)
    found = grant_day(row.extension_granted_at, extends=extends, calendar=calendar)
    if found.day is not None:
        return found.day
    recorded = row.recorded_at  # None: recorded before revision 0007
    if recorded is not None:
        return geneva_day(recorded)
    return None


def geneva_day(moment: dt.datetime) -> dt.date:
    """The day in Geneva of a stored UTC moment (a naive one, as SQLite returns it, is UTC)."""
    from zoneinfo import ZoneInfo

    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
    return aware.astimezone(ZoneInfo(GENEVA)).date()
