"""The facts the rules read, as plain frozen dataclasses (the database maps onto these)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class ArticleFacts:
    """What is known of one State under Art. 3 (stockpiles) or Art. 4 (clearance)."""

    article: int  # 3 or 4
    extensions: tuple[dt.date, ...] = ()
    completed_on: dt.date | None = None
    completion_known: bool = False  # completed, date unknown (met, but no date to show)
    hostilities_ended: dt.date | None = None  # Art. 4(1)(b)


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
