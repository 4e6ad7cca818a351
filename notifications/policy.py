"""Reminder policy: when each obligation is worth a message. Pure functions, no I/O, no clock.

* Stages per kind are lead times before the legal due date ("60d", "6m", "2y"; "0d" is the
  due day itself), then an overdue cadence: weekly for ``overdue.weekly`` weeks, then monthly
  for at most ``overdue.monthly`` months, then silence (the cap).
* The legal date never moves; only the *send day* does. A stage falling on a weekend or a
  Geneva public holiday is sent on the previous working day when it is a lead stage (so a
  reminder never comes later than promised, and a Saturday due date is announced on Friday)
  and on the next working day when it is an overdue stage (it must stay after the due date).
* After downtime, missed stages collapse into the latest one: ``current_stage`` returns only
  the latest stage whose send day has come, so a week offline yields one message, not five.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

import holidays
import pendulum

_LEAD = re.compile(r"^\s*(\d+)\s*([dwmy])\s*$")


@dataclass(frozen=True, slots=True)
class Lead:
    """A lead time before the due date: ``amount`` days, weeks, months or years."""

    amount: int
    unit: str  # d | w | m | y

    @classmethod
    def parse(cls, text: str) -> Lead:
        match = _LEAD.fullmatch(str(text))
        if not match:
            raise ValueError(f"{text!r} is not a lead time (e.g. 60d, 2w, 6m, 1y)")
        return cls(int(match.group(1)), match.group(2))

    @property
    def label(self) -> str:
        return f"{self.amount}{self.unit}"

    def before(self, due: dt.date) -> dt.date:
        # Month and year steps clamp to the month's end (31 Aug - 6m = 28/29 Feb) and a leap
        # day minus 1y is 28 Feb: pendulum does both; days and weeks are exact.
        day = pendulum.date(due.year, due.month, due.day)
        units = {"d": "days", "w": "weeks", "m": "months", "y": "years"}
        moved = day.subtract(**{units[self.unit]: self.amount})
        return dt.date(moved.year, moved.month, moved.day)


def leads(*texts: str) -> tuple[Lead, ...]:
    return tuple(Lead.parse(t) for t in texts)


@dataclass(frozen=True, slots=True)
class OverdueCadence:
    weekly: int = 8  # one reminder a week for this many weeks after the due date
    monthly: int = 12  # then one a month, at most this many times (the cap)


DEFAULT_STAGES: dict[str, tuple[Lead, ...]] = {
    "art7_initial": leads("60d", "30d", "7d", "0d"),
    "art7_annual": leads("60d", "30d", "7d", "0d"),
    "art3_stockpile": leads("2y", "1y", "6m", "3m", "1m"),
    "art4_clearance": leads("2y", "1y", "6m", "3m", "1m"),
    "art3_extension_request": leads("6m", "3m", "1m"),
    "art4_extension_request": leads("6m", "3m", "1m"),
}


@dataclass(frozen=True, eq=False)  # hashed by identity: stage lists are cached per policy
class ReminderPolicy:
    stages: Mapping[str, tuple[Lead, ...]] = field(default_factory=lambda: dict(DEFAULT_STAGES))
    default_stages: tuple[Lead, ...] = leads("30d", "7d", "0d")
    overdue: OverdueCadence = OverdueCadence()
    holiday_country: str = "CH"
    holiday_subdivision: str | None = "GE"
    # Transient failures wait this many minutes before the next claim (one per attempt);
    # after the last one the row is failed for good.
    retry_backoff_minutes: tuple[int, ...] = (5, 30, 120, 720)
    # A row "sending" whose dispatcher's last heartbeat (renewed every HEARTBEAT_SECONDS while
    # it runs) is older than this belonged to a dispatcher that died: reclaim it.
    sending_lease_minutes: int = 2

    def leads_for(self, kind: str) -> tuple[Lead, ...]:
        return self.stages.get(kind, self.default_stages)

    @property
    def max_attempts(self) -> int:
        return len(self.retry_backoff_minutes) + 1


@dataclass(frozen=True, slots=True)
class Stage:
    name: str  # "before:60d", "due", "overdue:w3", "overdue:m2": stable across runs
    nominal: dt.date  # the date the policy names, before moving to a working day
    send_on: dt.date  # a Geneva working day


@lru_cache(maxsize=8)
def _calendar(country: str, subdivision: str | None) -> holidays.HolidayBase:
    return holidays.country_holidays(country, subdiv=subdivision)


@lru_cache(maxsize=65536)
def working_day(day: dt.date, step: int, country: str, subdivision: str | None) -> dt.date:
    """``day`` if it is a working day there, else the nearest one in direction ``step``."""
    calendar = _calendar(country, subdivision)
    while day.weekday() >= 5 or day in calendar:
        day += dt.timedelta(days=step)
    return day


def stages_for(kind: str, due: dt.date, policy: ReminderPolicy) -> tuple[Stage, ...]:
    """Every stage of an obligation of ``kind`` due on ``due``, in order."""
    return _stages(kind, due, policy)


@lru_cache(maxsize=16384)
def _stages(kind: str, due: dt.date, policy: ReminderPolicy) -> tuple[Stage, ...]:
    where = (policy.holiday_country, policy.holiday_subdivision)
    found: list[Stage] = []
    for lead in sorted(set(policy.leads_for(kind)), key=lambda lead: lead.before(due)):
        nominal = lead.before(due)
        name = "due" if nominal == due else f"before:{lead.label}"
        found.append(Stage(name, nominal, working_day(nominal, -1, *where)))
    for week in range(1, policy.overdue.weekly + 1):
        nominal = due + dt.timedelta(weeks=week)
        found.append(Stage(f"overdue:w{week}", nominal, working_day(nominal, 1, *where)))
    start = pendulum.date(due.year, due.month, due.day).add(weeks=policy.overdue.weekly)
    for month in range(1, policy.overdue.monthly + 1):
        moved = start.add(months=month)
        nominal = dt.date(moved.year, moved.month, moved.day)
        found.append(Stage(f"overdue:m{month}", nominal, working_day(nominal, 1, *where)))
    return tuple(found)


def current_stage(
    kind: str, due: dt.date, as_of: dt.date, policy: ReminderPolicy
) -> Stage | None:
    """The latest stage whose send day has come on ``as_of`` (earlier missed ones collapse
    into it), or None: too early, or past the overdue cap.

    The last stage stays current for one cadence interval (a month, or a week when there are
    no monthly reminders); after that the obligation is past the cap and nobody is nagged,
    not even a recipient added later.
    """
    stages = stages_for(kind, due, policy)
    latest: Stage | None = None
    for stage in stages:
        if stage.send_on > as_of:
            return latest
        latest = stage
    if latest is None:
        return None
    interval = dt.timedelta(days=31 if policy.overdue.monthly else 7)
    return latest if as_of < latest.send_on + interval else None


def retry_delay(attempts: int, policy: ReminderPolicy) -> dt.timedelta | None:
    """How long to wait after the ``attempts``-th failed attempt; None: stop retrying."""
    if attempts < 1 or attempts > len(policy.retry_backoff_minutes):
        return None
    return dt.timedelta(minutes=policy.retry_backoff_minutes[attempts - 1])
