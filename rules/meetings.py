"""Meetings: their kinds, how their dates are known, and the `meeting_funds` rule.

The UN Office at Geneva services Meetings of States Parties, Review Conferences and the
intersessional meetings; it must hold the funds for one 90 days before it opens (minutes of
the Coordination Committee, 7 December 2016, section 6). Other meetings (the Committee's own,
workshops, meetings organised by others) cost the UN nothing and yield no such obligation.

A meeting's dates may be known to the minute, to the day, to the month, or not at all
("to be decided"). Nothing is ever invented: only a meeting known to the day (or minute)
has an opening date, and only such a meeting yields a dated obligation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo

from rules.dates import add_days
from rules.obligations import Obligation, obligation_key
from rules.treaties import CCM, treaty_of

MEETING_FUNDS = "meeting_funds"
FUNDS_LEAD_DAYS = 90


class MeetingKind(StrEnum):
    COORDINATION_COMMITTEE = "coordination_committee"
    MSP = "msp"
    REVIEW_CONFERENCE = "review_conference"
    INTERSESSIONAL = "intersessional"
    WORKSHOP = "workshop"
    # A meeting others organise (ASEAN, the Mine Action Directors' meeting): an occasion
    # for outreach, not serviced by the UN for the Convention.
    EXTERNAL = "external"


UN_SERVICED = frozenset({MeetingKind.MSP, MeetingKind.REVIEW_CONFERENCE, MeetingKind.INTERSESSIONAL})
DECIDING = frozenset({MeetingKind.MSP, MeetingKind.REVIEW_CONFERENCE})


class DatePrecision(StrEnum):
    TIME = "time"  # start and end to the minute, in the meeting's timezone
    DAY = "day"  # first and last day known, times not
    MONTH = "month"  # only the month is known ("in Bangkok in March 2017")
    TBD = "tbd"  # to be decided


@dataclass(frozen=True, slots=True)
class MeetingFacts:
    """What the rules need of a meeting. ``start_date``/``end_date`` are local days."""

    slug: str
    title: str
    kind: str
    precision: str
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    month: str | None = None  # "YYYY-MM" when only the month is known
    cancelled: bool = False
    funds_received_on: dt.date | None = None  # every cost share on the UN account by then
    treaty: str = CCM.code  # the convention whose meeting it is (its code)


def meeting_funds_due(opening: dt.date) -> dt.date:
    """The day the UN must hold a meeting's funds: 90 calendar days before it opens.

    Plain day arithmetic on a local date (never through UTC): 2020-05-29 -> 2020-02-29,
    2017-09-04 -> 2017-06-06. Weekends do not move it (the legal date is fixed).
    """
    return add_days(opening, -FUNDS_LEAD_DAYS)


def opening_date(meeting: MeetingFacts) -> dt.date | None:
    """The day the meeting opens, when it is known to the day; otherwise None."""
    if meeting.precision in (DatePrecision.TIME, DatePrecision.DAY):
        return meeting.start_date
    return None


def undated_reason(meeting: MeetingFacts) -> str | None:
    """Why a UN-serviced meeting has no `meeting_funds` date yet (None when it has one)."""
    if meeting.kind not in UN_SERVICED or meeting.cancelled:
        return None
    if meeting.precision == DatePrecision.MONTH:
        return f"opening day not fixed (only the month {meeting.month} is known)"
    if meeting.precision == DatePrecision.TBD:
        return "dates to be decided"
    return None


def meeting_funds_obligations(
    meetings: Iterable[MeetingFacts], as_of: dt.date | None = None
) -> Iterator[Obligation]:
    """One `meeting_funds` obligation per scheduled UN-serviced meeting with a known opening.

    It belongs to no single State (``state`` None). It is met when the funds were recorded
    as received (every cost-share invoice of the meeting paid). A cancelled meeting's is
    closed (met, with a note saying so) rather than dropped, so a stored one stops reminding.

    The same 90 days apply to a meeting of either convention; the key starts with the
    meeting's convention (``CCM:CC:meeting_funds:7msp`` as before, ``APMBC:CC:meeting_funds:
    22msp``).
    """
    for meeting in meetings:
        opening = opening_date(meeting)
        if meeting.kind not in UN_SERVICED or opening is None:
            continue
        due = meeting_funds_due(opening)
        treaty = treaty_of(meeting.treaty)
        if meeting.cancelled:
            yield Obligation(
                key=obligation_key(None, MEETING_FUNDS, meeting.slug, treaty), state=None,
                kind=MEETING_FUNDS, due=due, original_due=due, period=meeting.slug, met=True,
                note=f"cancelled: {meeting.title} will not be held; no funds needed",
            )
            continue
        yield Obligation(
            key=obligation_key(None, MEETING_FUNDS, meeting.slug, treaty),
            state=None,
            kind=MEETING_FUNDS,
            due=due,
            original_due=due,
            period=meeting.slug,
            met=_known(meeting.funds_received_on, as_of),
            met_on=meeting.funds_received_on if _known(meeting.funds_received_on, as_of) else None,
            note=(
                f"{meeting.title} opens {opening.isoformat()}: the UN must hold its funds "
                f"{FUNDS_LEAD_DAYS} days before"
            ),
        )


def deciding_meeting_dates(meetings: Iterable[MeetingFacts]) -> list[dt.date]:
    """Opening days of scheduled MSPs and Review Conferences known to the day, sorted."""
    return sorted(
        opening
        for meeting in meetings
        if meeting.kind in DECIDING and not meeting.cancelled
        for opening in [opening_date(meeting)]
        if opening is not None
    )


def local_day(moment: dt.datetime, timezone: str) -> dt.date:
    """The calendar day of an aware ``moment`` where the meeting is held (not in UTC)."""
    return moment.astimezone(ZoneInfo(timezone)).date()


def in_zone(moment: dt.datetime, timezone: str) -> dt.datetime:
    """An aware ``moment`` shown on another zone's clock (e.g. a Bangkok start in Geneva)."""
    return moment.astimezone(ZoneInfo(timezone))


def check_timezone(name: str) -> str | None:
    """A sentence saying what is wrong with an IANA timezone name, or None."""
    try:
        ZoneInfo(name)
    except (KeyError, ValueError):
        return f"{name!r} is not an IANA timezone name (e.g. Europe/Zurich, Asia/Bangkok)"
    return None


def _known(day: dt.date | None, as_of: dt.date | None) -> bool:
    """A dated fact is known from its day on (``as_of`` None: whenever it happened)."""
    return day is not None and (as_of is None or day <= as_of)
