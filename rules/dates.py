"""Calendar arithmetic on plain dates, done with pendulum and never through a timezone.

pendulum is imported when the first date is computed, not when this module is: `--help` and
the commands that compute no date do not pay for it (issue 13).
"""

from __future__ import annotations

import datetime as dt

# The ISU sits in Geneva; Geneva and Zurich share one IANA zone.
GENEVA = "Europe/Zurich"


def add_years(day: dt.date, years: int) -> dt.date:
    """``day`` plus whole years; 29 February lands on 28 February in a common year."""
    import pendulum

    result = pendulum.date(day.year, day.month, day.day).add(years=years)
    return dt.date(result.year, result.month, result.day)


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus (or minus) whole months, clamped to the end of a shorter month."""
    import pendulum

    result = pendulum.date(day.year, day.month, day.day).add(months=months)
    return dt.date(result.year, result.month, result.day)


def add_days(day: dt.date, days: int) -> dt.date:
    return day + dt.timedelta(days=days)


def end_of_period(period: str) -> dt.date:
    """Last day of a ``YYYY`` or ``YYYY-MM`` period ("completed in June 2014" -> 2014-06-30).

    A completion known only by month or year counts as done by the end of that period: the
    conservative reading, never earlier than the truth.
    """
    import pendulum

    if len(period) == 4:
        return dt.date(int(period), 12, 31)
    year, month = (int(part) for part in period.split("-"))
    result = pendulum.date(year, month, 1).end_of("month")
    return dt.date(result.year, result.month, result.day)
