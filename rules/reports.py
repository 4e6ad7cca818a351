"""Art. 7: transparency reports (the CCM by default; any treaty's ``ReportingArticle``)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from rules.dates import add_days
from rules.treaties import CCM, Treaty

INITIAL_REPORT_DAYS = CCM.reporting.initial_days  # Art. 7(1): "not later than 180 days"
ANNUAL_REPORT_MONTH_DAY = CCM.reporting.annual_due  # Art. 7(2): "not later than 30 April"

FirstAnnualPeriod = Literal["eif_year", "initial_due_year"]


def initial_report_due(entry_into_force: dt.date, treaty: Treaty = CCM) -> dt.date:
    """Initial report: 180 days after entry into force (2012-03-01 -> 2012-08-28)."""
    return add_days(entry_into_force, treaty.reporting.initial_days)


def annual_report_due(period: int, treaty: Treaty = CCM) -> dt.date:
    """The "2019 annual report" covers calendar year 2019 and is due 30 April 2020 (the
    treaty's ``annual_due`` month and day of the next year)."""
    month, day = treaty.reporting.annual_due
    return dt.date(period + 1, month, day)


def first_annual_period(
    entry_into_force: dt.date, rule: FirstAnnualPeriod, treaty: Treaty = CCM
) -> int:
    """The calendar year the first annual report covers.

    ``eif_year``: the year of entry into force (the literal reading of Art. 7(2)).
    ``initial_due_year``: the year the initial report falls due, so a State bound from
    1 September 2011 (initial report due 28 February 2012) is not also asked, two months
    later, for a "2011 annual report" on the months its initial report just covered.
    """
    if rule == "eif_year":
        return entry_into_force.year
    return initial_report_due(entry_into_force, treaty).year
