"""The tracker's one clock. Rules never call it: callers read it once and pass ``as_of``."""

from __future__ import annotations

import datetime as dt

import pendulum

from rules.dates import GENEVA


def today_in_geneva() -> dt.date:
    """The treaty's working day is Geneva's (the ISU's), whatever the machine's timezone."""
    now = pendulum.now(GENEVA)
    return dt.date(now.year, now.month, now.day)
