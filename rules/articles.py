"""Art. 3 (stockpile destruction) and Art. 4 (clearance): deadlines and their extensions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from rules.dates import add_months, add_years

STOCKPILE_YEARS = 8  # Art. 3(2)
CLEARANCE_YEARS = 10  # Art. 4(1)(a)
MAX_EXTENSION_YEARS = {3: 4, 4: 5}  # Art. 3(3): up to 4 years; Art. 4(5): up to 5 years


def stockpile_destruction_due(entry_into_force: dt.date) -> dt.date:
    return add_years(entry_into_force, STOCKPILE_YEARS)


def clearance_due(entry_into_force: dt.date, hostilities_ended: dt.date | None = None) -> dt.date:
    """Art. 4(1)(a): 10 years after entry into force; Art. 4(1)(b): for areas contaminated
    after entry into force, 10 years after the end of the active hostilities."""
    start = max(entry_into_force, hostilities_ended) if hostilities_ended else entry_into_force
    return add_years(start, CLEARANCE_YEARS)


def original_deadline(
    article: int, entry_into_force: dt.date, hostilities_ended: dt.date | None = None
) -> dt.date:
    if article == 3:
        return stockpile_destruction_due(entry_into_force)
    return clearance_due(entry_into_force, hostilities_ended)


def deadline_chain(original: dt.date, extensions: Iterable[dt.date]) -> list[dt.date]:
    """Every deadline a State has been held to, oldest first, the one in force last.

    An extension moves a deadline, never deletes it, and never moves it earlier: an
    extension "until" a date on or before the deadline already in force changes nothing
    (two sources giving two dates for one grant both stay on record; the later one rules).
    """
    chain = [original]
    for until in sorted(extensions):
        if until > chain[-1]:
            chain.append(until)
    return chain


def extension_too_long(article: int, current: dt.date, until: dt.date) -> bool:
    """True when one extension step exceeds the treaty's maximum for the article."""
    return until > add_years(current, MAX_EXTENSION_YEARS[article])


def extension_step_problem(article: int, current: dt.date, until: dt.date) -> str | None:
    """Why extending ``current`` to ``until`` is not a valid step, or None when it is."""
    if until <= current:
        return f"{until.isoformat()} is not after the deadline in force {current.isoformat()}"
    if extension_too_long(article, current, until):
        years = MAX_EXTENSION_YEARS[article]
        return f"an Art. {article} extension is at most {years} years a step"
    return None


def deciding_meeting(deadline: dt.date, meetings: Sequence[dt.date]) -> dt.date | None:
    """The last Meeting of States Parties or Review Conference opening before ``deadline``."""
    before = [opening for opening in meetings if opening < deadline]
    return max(before) if before else None


def extension_request_due(
    deadline: dt.date,
    meetings: Sequence[dt.date],
    *,
    lead_months: int,
    assumed_meeting_months: int,
) -> tuple[dt.date, bool]:
    """When a request to extend ``deadline`` must reach the ISU, and whether that is estimated.

    The request must be decided by the MSP/RC held before the deadline and is due
    ``lead_months`` before that meeting opens. With no such meeting on record, the meeting is
    assumed ``assumed_meeting_months`` before the deadline, and the result says so.
    """
    meeting = deciding_meeting(deadline, meetings)
    estimated = meeting is None
    if meeting is None:
        meeting = add_months(deadline, -assumed_meeting_months)
    return add_months(meeting, -lead_months), estimated
