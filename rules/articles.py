"""Deadline articles and their extensions: the CCM's Art. 3 (stockpile destruction) and
Art. 4 (clearance) by default, any treaty's ``DeadlineArticle`` (APMBC Art. 4 and 5) when a
``treaty`` is passed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from rules.dates import add_months, add_years
from rules.facts import ArticleFacts
from rules.treaties import CCM, Treaty

STOCKPILE_YEARS = 8  # Art. 3(2)
CLEARANCE_YEARS = 10  # Art. 4(1)(a)
# Art. 3(3): up to 4 years; Art. 4(5): up to 5 years
MAX_EXTENSION_YEARS = {a.article: a.max_extension_years for a in CCM.deadline_articles}


def stockpile_destruction_due(entry_into_force: dt.date) -> dt.date:
    return add_years(entry_into_force, STOCKPILE_YEARS)


def clearance_due(entry_into_force: dt.date, hostilities_ended: dt.date | None = None) -> dt.date:
    """Art. 4(1)(a): 10 years after entry into force; Art. 4(1)(b): for areas contaminated
    after entry into force, 10 years after the end of the active hostilities."""
    start = max(entry_into_force, hostilities_ended) if hostilities_ended else entry_into_force
    return add_years(start, CLEARANCE_YEARS)


def original_deadline(
    article: int,
    entry_into_force: dt.date,
    hostilities_ended: dt.date | None = None,
    treaty: Treaty = CCM,
) -> dt.date:
    """The article's first deadline: ``years`` after entry into force (CCM Art. 3: 8, Art. 4:
    10; APMBC Art. 4: 4, Art. 5: 10), or after the end of active hostilities where the
    article counts from it (CCM Art. 4(1)(b)). ``KeyError`` for an article the treaty does
    not have."""
    rule = treaty.article(article)
    start = entry_into_force
    if rule.from_end_of_hostilities and hostilities_ended:
        start = max(entry_into_force, hostilities_ended)
    return add_years(start, rule.years)


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


def deadlines_held(
    article: ArticleFacts, entry_into_force: dt.date, treaty: Treaty = CCM
) -> list[dt.date]:
    """The one place that says which Art. 3/4 deadlines a State has been held to.

    The original deadline (Art. 3(2); Art. 4(1)(a), or 4(1)(b) from the end of hostilities)
    and every extension step in ``article``, oldest first; the deadline in force is the last.
    Pass ``facts_in_effect(...)`` facts for the answer as of a day. Used by the scan, the
    recording of an extension, the importer and ``facts``.
    """
    original = original_deadline(
        article.article, entry_into_force, article.hostilities_ended, treaty
    )
    return deadline_chain(original, [step.until for step in article.steps])


def deadline_in_force(
    article: ArticleFacts, entry_into_force: dt.date, treaty: Treaty = CCM
) -> dt.date:
    """The Art. 3/4 deadline in force after every extension step in ``article``."""
    return deadlines_held(article, entry_into_force, treaty)[-1]


def extension_too_long(
    article: int, current: dt.date, until: dt.date, treaty: Treaty = CCM
) -> bool:
    """True when one extension step exceeds the treaty's maximum for the article (any step
    is too long under an article with no extension mechanism, APMBC Art. 4)."""
    years = treaty.article(article).max_extension_years
    return years is None or until > add_years(current, years)


def extension_step_problem(
    article: int, current: dt.date, until: dt.date, treaty: Treaty = CCM
) -> str | None:
    """Why extending ``current`` to ``until`` is not a valid step, or None when it is."""
    rule = treaty.article(article)
    if rule.max_extension_years is None:
        return (
            f"the {treaty.code}'s Art. {article} ({rule.subject}) has no extension mechanism: "
            "its deadline cannot be extended"
        )
    if until <= current:
        return f"{until.isoformat()} is not after the deadline in force {current.isoformat()}"
    if extension_too_long(article, current, until, treaty):
        years = rule.max_extension_years
        return f"an Art. {article} extension is at most {years} years a step"
    return None


def deciding_meeting(deadline: dt.date, meetings: Sequence[dt.date]) -> dt.date | None:
    """The Meeting of States Parties or Review Conference that must decide a request to extend
    ``deadline`` (CCM Art. 3(3), 4(5); APMBC Art. 5(3)): the last one opening before it.

    ``meetings`` are the opening days of the convention's MSPs and RCs on record. They name
    the deciding meeting only when they reach the deadline: when one of them opens on or after
    it, so that the calendar covers the whole period before it. Otherwise a meeting not yet on
    record may still be held between the last one known and the deadline, and the deciding
    meeting is not known: None (as when no meeting opens before the deadline at all).
    """
    if not any(opening >= deadline for opening in meetings):
        return None
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

    The request must be decided by the MSP/RC held before the deadline
    (``deciding_meeting``) and is due ``lead_months`` before that meeting opens. When the
    meetings on record do not name it (they do not reach the deadline yet), the meeting is
    assumed ``assumed_meeting_months`` before the deadline, but never before the last meeting
    on record opening before the deadline (the deciding one cannot open earlier than that),
    and the result says it is estimated. The one rule for every convention: each passes its
    own meetings.
    """
    meeting = deciding_meeting(deadline, meetings)
    if meeting is not None:
        return add_months(meeting, -lead_months), False
    assumed = add_months(deadline, -assumed_meeting_months)
    known_before = [opening for opening in meetings if opening < deadline]
    if known_before:
        assumed = max(assumed, max(known_before))
    return add_months(assumed, -lead_months), True
