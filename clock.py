"""The tracker's one clock. Rules never call it: callers read it once and pass ``as_of``."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from rules.dates import GENEVA

_GENEVA = ZoneInfo(GENEVA)  # loaded once: the feed server asks for the day on every request


def today_in_geneva() -> dt.date:
    """The treaty's working day is Geneva's (the ISU's), whatever the machine's timezone."""
    return dt.datetime.now(_GENEVA).date()
