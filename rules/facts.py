"""The facts the rules read, as plain frozen dataclasses (the database maps onto these).

Every dated fact carries the day it took effect; ``facts_in_effect`` keeps only the facts in
effect on a given day, so an answer "as of D" never uses a fact that was not yet true on D.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace


@dataclass(frozen=True, slots=True)
class Extension:
    """One extension step: the deadline moved to ``until`` by a decision on ``granted_on``.

    ``granted_on`` is the closing day of the deciding Meeting of States Parties or Review
    Conference (or the end of a silence procedure); None when no day is known, in which case
    the step counts as in effect on every day (the database layer always infers a day).
    """

    until: dt.date
    granted_on: dt.date | None = None


@dataclass(frozen=True, slots=True)
class ArticleFacts:
    """What is known of one State under Art. 3 (stockpiles) or Art. 4 (clearance).

    ``extensions`` holds ``Extension`` steps; a bare date is a step granted on an unknown day.
    """

    article: int  # 3 or 4
    extensions: tuple[Extension | dt.date, ...] = ()
    completed_on: dt.date | None = None
    completion_known: bool = False  # completed, date unknown (met, but no date to show)
    hostilities_ended: dt.date | None = None  # Art. 4(1)(b)

    @property
    def steps(self) -> tuple[Extension, ...]:
        """The extension steps, bare dates read as steps granted on an unknown day."""
        return tuple(e if isinstance(e, Extension) else Extension(e) for e in self.extensions)

    def granted_on(self, until: dt.date) -> dt.date | None:
        """The earliest day a step to ``until`` was granted (None: unknown or not granted)."""
        days = [s.granted_on for s in self.steps if s.until == until and s.granted_on]
        return min(days) if days else None


@dataclass(frozen=True, slots=True)
class StateFacts:
    iso3: str
    deposit_date: dt.date | None = None
    withdrawal_effective: dt.date | None = None
    initial_report_received: dt.date | None = None
    initial_report_known: bool = False  # received, date unknown
    # calendar year covered -> date received (None: received, date unknown)
    annual_reports_received: dict[int, dt.date | None] = field(default_factory=dict)
    articles: tuple[ArticleFacts, ...] = ()


@dataclass(frozen=True, slots=True)
class RulePolicy:
    """The settings the rules need, passed in by the caller."""

    first_annual_period: str = "eif_year"
    extension_request_lead_months: int = 9
    assumed_meeting_months_before_deadline: int = 12


def _by(day: dt.date | None, as_of: dt.date) -> bool:
    """A dated fact is in effect from its day on; an undated one on every day."""
    return day is None or day <= as_of


def facts_in_effect(facts: StateFacts, as_of: dt.date) -> StateFacts:
    """Only the facts in effect on ``as_of``: deposited, received, granted, completed, ended
    and withdrawn on or before that day. Facts whose day is unknown are kept (they are known
    to have happened; no day can be shown for them).
    """
    if facts.deposit_date is not None and facts.deposit_date > as_of:
        return replace(facts, deposit_date=None, withdrawal_effective=None,
                       initial_report_received=None, initial_report_known=False,
                       annual_reports_received={}, articles=())
    initial = facts.initial_report_received
    has_initial = facts.initial_report_known or initial is not None
    initial_in_effect = has_initial and _by(initial, as_of)
    return replace(
        facts,
        withdrawal_effective=(
            facts.withdrawal_effective if _dated_by(facts.withdrawal_effective, as_of) else None
        ),
        initial_report_received=initial if initial_in_effect else None,
        initial_report_known=initial_in_effect,
        annual_reports_received={
            period: day for period, day in facts.annual_reports_received.items() if _by(day, as_of)
        },
        articles=tuple(_article_in_effect(a, as_of) for a in facts.articles),
    )


def _dated_by(day: dt.date | None, as_of: dt.date) -> bool:
    return day is not None and day <= as_of


def _article_in_effect(article: ArticleFacts, as_of: dt.date) -> ArticleFacts:
    completed_in_effect = _by(article.completed_on, as_of) and (
        article.completion_known or article.completed_on is not None
    )
    return replace(
        article,
        extensions=tuple(s for s in article.steps if _by(s.granted_on, as_of)),
        completed_on=article.completed_on if completed_in_effect else None,
        completion_known=completed_in_effect,
        hostilities_ended=(
            article.hostilities_ended if _dated_by(article.hostilities_ended, as_of) else None
        ),
    )
