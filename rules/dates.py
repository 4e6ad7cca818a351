"""Calendar arithmetic on plain dates, done with dateutil's ``relativedelta`` and never
through a timezone.

(pendulum did this until issue 13: the same arithmetic, but importing it costs a read
command ~15 ms; ``relativedelta`` clamps to the end of a shorter month the same way.)
"""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta

# The ISU sits in Geneva; Geneva and Zurich share one IANA zone.
GENEVA = "Europe/Zurich"


def add_years(day: dt.date, years: int) -> dt.date:
    """``day`` plus whole years; 29 February lands on 28 February in a common year."""
    moved: dt.date = day + relativedelta(years=years)
    return moved


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus (or minus) whole months, clamped to the end of a shorter month."""
    moved: dt.date = day + relativedelta(months=months)
    return moved


def add_days(day: dt.date, days: int) -> dt.date:
    return day + dt.timedelta(days=days)


def end_of_period(period: str) -> dt.date:
    """Last day of a ``YYYY`` or ``YYYY-MM`` period ("completed in June 2014" -> 2014-06-30).

    A completion known only by month or year counts as done by the end of that period: the
    conservative reading, never earlier than the truth.
    """
    if len(period) == 4:
        return dt.date(int(period), 12, 31)
    year, month = (int(part) for part in period.split("-"))
    last: dt.date = dt.date(year, month, 1) + relativedelta(day=31)  # day=31: the month's last
    return last
