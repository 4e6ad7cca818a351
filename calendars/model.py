"""What a calendar needs to know, as plain frozen dataclasses (the database maps onto these).

Renderers (``calendars.render``, ``calendars.itip``) read only these, so they can be tested
without a database and fed by any source: the obligation table, issue 6's meetings, a test.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

UID_DOMAIN = "ccm-tracker"


def uid_for(key: str) -> str:
    """A stable UID from our own key: ``CCM:AFG:art7_annual:2019@ccm-tracker``."""
    return f"{key}@{UID_DOMAIN}"


@dataclass(frozen=True, slots=True)
class DeadlineEvent:
    """One obligation as an all-day event on its (legal, Geneva) due date."""

    key: str  # the obligation key, e.g. CCM:AFG:art7_annual:2019
    version: int  # SEQUENCE: grows when the due date moves (an extension)
    due: dt.date
    summary: str  # e.g. "Afghanistan: 2019 annual transparency report"
    description: str  # what is due, under which article, what to do, where to send it
    categories: tuple[str, ...]  # article and theme(s), e.g. ("Art. 7", "transparency")
    url: str = ""
    met: bool = False
    met_on: dt.date | None = None
    state: str | None = None
    kind: str = ""
    themes: tuple[str, ...] = ()
    # open | overdue | met | met_late | not_needed | unverified, on the feed's day
    status: str = ""

    @property
    def uid(self) -> str:
        return uid_for(self.key)

    @property
    def shown_status(self) -> str:
        """The status for X-CCM-STATUS: the given one, else met or open."""
        return self.status or ("met" if self.met else "open")


@dataclass(frozen=True, slots=True)
class Person:
    email: str
    name: str = ""


@dataclass(frozen=True, slots=True)
class MeetingEvent:
    """A meeting at a wall-clock time in its IANA zone (``precision == "time"``) or on whole
    days (``precision == "day"``: ``start``/``end`` are then read as dates, ``end`` inclusive).
    """

    key: str  # CCM:MEETING:<slug>
    version: int  # SEQUENCE: grows with every change sent to participants
    title: str
    kind: str  # e.g. msp, review_conference, coordination_committee, intersessional
    start: dt.datetime  # timezone-aware; its wall-clock time in ``timezone`` is what counts
    end: dt.datetime
    timezone: str  # IANA name, e.g. Europe/Zurich
    precision: Literal["time", "day"] = "time"
    venue: str = ""
    organiser: Person | None = None
    attendees: tuple[Person, ...] = ()
    cancelled: bool = False
    description: str = ""
    url: str = ""
    categories: tuple[str, ...] = field(default=("Meeting",))

    @property
    def uid(self) -> str:
        return uid_for(self.key)
