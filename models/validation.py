"""What makes a fact impossible: one place for the CLI, the importer and the Prefect flows.

Every check is a keyword-only function of plain values and ``today`` (the day in Geneva,
read once by the caller from ``clock.today_in_geneva``) returning the ``Problem``s it found,
each naming the field (a data name such as ``received_on``; the CLI shows its option, the
importer its column). ``refuse(problems)`` raises them as one ``FactRejected`` sentence.
An empty list means the fact can be true; whether it agrees with the one on record is the
writers' question (``models.registry``).

Sources: Art. 15 (opened for signature on 2008-12-03), Art. 7 (reports), Art. 3 and 4
(deadlines, extensions, completions), Art. 17 (entry into force).
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from errors import UserError
from models.convention_meetings import (
    CALENDAR_FILES,
    MEETING_CODE,
    SILENCE,
    GrantDay,
    grant_day,
    meeting_in_month,
    meeting_named,
    treaty_calendar,
)
from models.tables import State
from rules.articles import extension_step_problem
from rules.entry_into_force import OPENED_FOR_SIGNATURE, entry_into_force
from rules.treaties import CCM, Treaty

# The longest text a field may hold (names, sources, notes, reasons): a page of prose. Longer
# is a wrong file (a whole document pasted in a cell), not a fact.
TEXT_LIMIT = 10_000

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
ARTICLE_WORK = {3: "held stockpiles of cluster munitions", 4: "had contaminated areas"}


class FactRejected(UserError, ValueError):
    """A fact that cannot be true, or that contradicts the one on record; nothing was written.

    ``field`` names the data field at fault (``received_on``, ``until``...), when there is
    one: the CLI shows its option, the importer its column, a flow its parameter.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Problem:
    """Why one field of a fact cannot be true."""

    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.field}: {self.reason}"


def refuse(problems: Iterable[Problem]) -> None:
    """Raise the problems (if any) as one ``FactRejected``; its ``field`` is the first's."""
    found = list(problems)
    if found:
        raise FactRejected("; ".join(p.reason for p in found), field=found[0].field)


def parse_day(text: str, *, field: str) -> dt.date:
    """``YYYY-MM-DD`` (exactly: not ``20110908``, not ``2011-W36-4``) as a date.

    Raises ``FactRejected`` naming ``field``: "'2011-02-30' is not a date (YYYY-MM-DD)".
    """
    value = text.strip()
    if _DAY.fullmatch(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise FactRejected(f"{text!r} is not a date (YYYY-MM-DD)", field=field)


def text_problems(value: str | None, *, field: str, limit: int = TEXT_LIMIT) -> list[Problem]:
    """Stored text: no NUL byte (PostgreSQL refuses it) and at most ``limit`` characters."""
    if not value:
        return []
    problems = []
    if "\x00" in value:
        problems.append(Problem(field, "contains a NUL byte (a binary file, or a bad export)"))
    if len(value) > limit:
        problems.append(Problem(field, f"is {len(value):,} characters long; the limit is {limit:,}"))
    return problems


SOURCE_NEEDED = ("say where this fact comes from (a document, a URL, a letter); a fact without "
                 "a source is not kept")


def source_problems(source: str | None, *, field: str = "source") -> list[Problem]:
    """A fact's source: required (blank is refused: ``SOURCE_NEEDED``), then ``text_problems``."""
    if not (source or "").strip():
        return [Problem(field, SOURCE_NEEDED)]
    return text_problems(source, field=field)


def past_day_problems(day: dt.date | None, *, field: str, today: dt.date, what: str) -> list[Problem]:
    """A day something happened cannot be after today (Geneva)."""
    if day is not None and day > today:
        return [Problem(field, f"{what} {day.isoformat()} is after today ({today.isoformat()}, Geneva)".strip())]
    return []


def fact_day_problems(
    day: dt.date | None, *, field: str, what: str, today: dt.date, treaty: Treaty = CCM
) -> list[Problem]:
    """The day a fact took effect (``--on``: an invoice issued or paid, an action item closed):
    it happened, so not after today (Geneva), and not before the convention it is under opened
    for signature (CCM 2008-12-03, APMBC 1997-12-03). The bounds ``record`` puts on a
    signature or deposit, for the facts that have no State's dates to be checked against."""
    return (past_day_problems(day, field=field, today=today, what=what)
            + treaty_day_problems(day, field=field, what=what, treaty=treaty))


def day_refused(problems: list[Problem]) -> str | None:
    """The problems of ``fact_day_problems`` as one sentence naming the option (their field),
    for a writer that raises its own refusal; None when there are none."""
    if not problems:
        return None
    return f"{problems[0].field}: " + "; ".join(p.reason for p in problems)


def treaty_day_problems(
    day: dt.date | None, *, field: str, what: str, treaty: Treaty = CCM
) -> list[Problem]:
    """Nothing is signed or deposited before the treaty opened for signature (CCM Art. 15:
    2008-12-03; APMBC Art. 15: 1997-12-03)."""
    opened = treaty.entry_into_force.opened_for_signature if treaty is not CCM else OPENED_FOR_SIGNATURE
    if day is not None and day < opened:
        convention = "the Convention" if treaty is CCM else f"the {treaty.code}"
        return [
            Problem(
                field,
                f"{what} {day.isoformat()} is before {convention} opened for signature "
                f"on {opened.isoformat()}".strip(),
            )
        ]
    return []


def participation_problems(
    *,
    signature: dt.date | None,
    deposit: dt.date | None,
    provisional: dt.date | None,
    withdrawal: dt.date | None,
    today: dt.date,
    treaty: Treaty = CCM,
) -> list[Problem]:
    """A State's signature, deposit, provisional application (Art. 18) and withdrawal (Art. 20).

    Signature, deposit and provisional application happened: on or after 2008-12-03 and not
    after today. A withdrawal takes effect six months after its notification (Art. 20(2)),
    so its effective day may lie ahead.
    """
    problems: list[Problem] = []
    for field, day in (
        ("signature_date", signature),
        ("deposit_date", deposit),
        ("provisional_application_date", provisional),
    ):  # the field names what the day is
        problems += treaty_day_problems(day, field=field, what="", treaty=treaty)
        problems += past_day_problems(day, field=field, today=today, what="")
    if deposit and signature and deposit < signature:
        problems.append(Problem("deposit_date", "is before the State signed"))
    if withdrawal and not deposit:
        problems.append(Problem("withdrawal_effective_date", "a State that never deposited cannot withdraw"))
    if withdrawal and deposit and withdrawal <= deposit:
        problems.append(Problem("withdrawal_effective_date", "is not after the deposit"))
    return problems


def report_problems(
    *,
    state: State,
    period: int | None,
    received_on: dt.date | None,
    today: dt.date,
    treaty: Treaty = CCM,
) -> list[Problem]:
    """An Art. 7 report received: the initial one (``period`` None) or the annual one.

    Refused: a State that never deposited; a received day after today or before the State
    deposited its instrument; an annual report on a year before entry into force, or on a
    year not yet over on its received day (or today, when the day is not known).
    """
    if state.deposit_date is None:
        return [Problem("iso3", f"{state.iso3} ({state.name}) is a signatory: it owes no Art. 7 reports")]
    name = "the initial report" if period is None else f"the {period} annual report"
    problems = past_day_problems(received_on, field="received_on", today=today, what=f"{name} received")
    if received_on is not None and received_on < state.deposit_date:
        problems.append(
            Problem(
                "received_on",
                f"{name} received {received_on.isoformat()} is before {state.iso3} deposited "
                f"its instrument on {state.deposit_date.isoformat()}",
            )
        )
    if period is not None:
        eif = entry_into_force(state.deposit_date, treaty)
        if period < eif.year:
            problems.append(Problem("report", f"{state.iso3} was not bound by the Convention in {period}"))
        day = received_on or today
        if day.year <= period:
            when = f"on {received_on.isoformat()}" if received_on else f"today ({today.isoformat()})"
            problems.append(
                Problem(
                    "received_on" if received_on else "report",
                    f"the {period} annual report covers all of {period}, which was not over {when}",
                )
            )
    return problems


def article_choice_problems(article: int, *, treaty: Treaty = CCM, field: str = "article") -> list[Problem]:
    """The treaty sets a deadline under ``article`` (CCM Art. 3 and 4; APMBC Art. 4 and 5)."""
    if article in treaty.articles:
        return []
    known = " and ".join(f"{a.article} ({a.subject})" for a in treaty.deadline_articles)
    return [Problem(field, f"{article} is not one of the {treaty.code}'s deadline articles: {known}")]


def extension_step_refusal(treaty: Treaty, article: int, *, field: str = "article") -> Problem:
    """An extension of an article with no extension mechanism (APMBC Art. 4: stockpiles
    "not later than four years", no extension), refused naming the article."""
    rule = treaty.article(article)
    extendable = [str(a.article) for a in treaty.deadline_articles if a.extendable]
    which = " or ".join(extendable)
    return Problem(field, f"the {treaty.code}'s Art. {article} ({rule.subject}) has no extension "
                          f"mechanism: its deadline cannot be extended (extensions: Art. {which})")


def article_problems(*, state: Any, article: int, on_record: bool, treaty: Treaty = CCM) -> list[Problem]:
    """An extension or completion needs the article to concern the State (a fact on record)."""
    if state.deposit_date is None:
        return [Problem("iso3", f"{state.iso3} ({state.name}) is a signatory: it has no obligations")]
    if on_record:
        return []
    if treaty is CCM:
        said = f"{state.iso3} {ARTICLE_WORK[article]} (Art. {article})"
        option = ""
        row = "the Art. 3/4 row"
    else:
        rule = treaty.article(article)
        said = f"{state.iso3} has an Art. {article} obligation under the {treaty.code} ({rule.subject})"
        option = f" --treaty {treaty.code.lower()}"
        row = f"the {treaty.code} Art. {'/'.join(str(a) for a in treaty.articles)} row"
    return [
        Problem(
            "article",
            f"nothing on record says {said}; "
            f"if it did, record that first: `ccm-tracker record applies {state.iso3} --article "
            f"{article}{option} --source ...` (or import {row} "
            f"'{state.name},{state.iso3},{article},,,,,SOURCE,')",
        )
    ]


def year_meeting_problems(
    meeting: str | None, *, until: dt.date, today: dt.date, field: str, until_field: str = "until"
) -> list[Problem]:
    """The year named by the meeting that granted an extension under a treaty other than
    the CCM (after ``meeting_problems`` found it on the calendar): the year ("22MSP (2025)")
    is its latest possible grant day's year (``models.treaty_facts.granted_on``), so it cannot lie after
    today, and the new deadline cannot lie before that year (a meeting extends a deadline
    that lies ahead)."""
    if not meeting or not meeting.strip():
        return []
    from models.treaty_facts import YEAR

    found = YEAR.search(meeting)
    if found is None:
        return []
    year = int(found.group(0))
    if year > today.year:
        return [Problem(field, f"{meeting.strip()!r} names {year}, after today ({today.isoformat()}, Geneva)")]
    if until.year < year:
        return [Problem(until_field, f"the new deadline {until.isoformat()} is before {year}, the year "
                                     f"{meeting.strip()} granted it: a meeting extends a deadline that lies ahead")]
    return []


def completion_problems(
    *, state: Any, article: int, completed_on: dt.date, today: dt.date, on_record: bool,
    treaty: Treaty = CCM,
) -> list[Problem]:
    """A completion declared (Art. 3 stockpiles destroyed, Art. 4 areas cleared): it happened,
    so not after today; an Art. 4 clearance not before the State deposited its instrument
    (``clearance_day_problems``). No lower bound for Art. 3: States destroyed stocks before
    they joined, some before 2008 (the bundled CAN, COL, CZE, ECU 2004, HUN)."""
    return (
        article_problems(state=state, article=article, on_record=on_record, treaty=treaty)
        + past_day_problems(completed_on, field="completed_on", today=today, what=f"Art. {article} completion")
        + clearance_day_problems(state=state, article=article, completed_on=completed_on, field="completed_on",
                                 treaty=treaty)
    )


def clearance_day_problems(
    *, state: Any, article: int, completed_on: dt.date | None, field: str, treaty: Treaty = CCM
) -> list[Problem]:
    """The clearance article (CCM Art. 4, APMBC Art. 5) concerns areas contaminated when the
    Convention bound the State: clearance it completed before it deposited its instrument
    is no such completion and would mark a clearance met that never began."""
    clearance = article in treaty.articles and treaty.article(article).subject == "clearance"
    if not clearance or completed_on is None or state.deposit_date is None:
        return []
    if completed_on < state.deposit_date:
        return [
            Problem(
                field,
                f"Art. {article} clearance completed {completed_on.isoformat()} is before {state.iso3} deposited its "
                f"instrument on {state.deposit_date.isoformat()} (Art. {article} concerns areas contaminated "
                "once the Convention binds the State)",
            )
        ]
    return []


# the year a meeting's label gives: "9MSP (2019)", "2RC Part 1 (Nov 2020)", "MSP (Dec 2017)"
SAID_YEAR = re.compile(r"\((?:[A-Za-z]+\.?\s+)?(\d{4})\s*\)")


def meeting_problems(
    meeting: str | None, *, until: dt.date, field: str, until_field: str = "until", treaty: Treaty = CCM
) -> list[Problem]:
    """The meeting that granted an extension: one of the treaty's bundled calendar
    (``data/ccm_meetings.csv``, ``data/apmbc_meetings.csv``), named by its code ("13MSP",
    "9MSP (2019)", "2RC Part 1 (Nov 2020)") or as a silence procedure ("2RC (decided by
    silence procedure, Feb 2021)"); under a treaty other than the CCM also by month ("MSP
    (Dec 2017)": the one MSP of that month, ``granted_by_end_of``); and the new deadline
    ``until`` after the day it was granted (the meeting's closing day). A typo ("13MPS") or a
    meeting the calendar does not hold ("99MSP") is refused with the code meant, never
    counted as granted on the day it was typed."""
    if not meeting or not meeting.strip():
        return []
    calendar = treaty_calendar(treaty.code)
    silence = SILENCE.search(meeting)
    named = meeting_named(meeting, calendar)
    if named is None and treaty is not CCM:
        named = meeting_in_month(meeting, calendar)
    if named is None and not silence:
        codes = [m.code for m in calendar] + sorted({m.code.split(" Part ")[0] for m in calendar if " Part " in m.code})
        typed = meeting.strip().split(" (")[0]
        meant = [] if MEETING_CODE.match(typed) else difflib.get_close_matches(  # 14MSP: not a typo of 4MSP
            typed.upper(), [c.upper() for c in codes], n=1, cutoff=0.6
        )
        hint = f" (did you mean {next(c for c in codes if c.upper() == meant[0])}?)" if meant else " (yet)"
        whose, left_out = (("the Convention's", "the last MSP/RC before the deadline is then assumed")
                           if treaty is CCM else
                           (f"the {treaty.code}'s", "the step then counts from the day it is recorded"))
        return [
            Problem(
                field,
                f"{meeting!r} is not a meeting in {whose} calendar{hint}; known: "
                f"{', '.join(codes)}. A meeting not yet in it: add its row (code, title, kind, opening, "
                f"closing, venue, source) to {CALENDAR_FILES[treaty.code].name} (data/), or leave the "
                f"meeting out ({left_out})",
            )
        ]
    said = None if silence else SAID_YEAR.search(meeting)
    if named is not None and said and int(said.group(1)) not in (named.opening.year, named.closing.year):
        held = named.opening.year
        return [
            Problem(
                field,
                f"{meeting!r}: the {named.code} was held in {held} ({named.opening.isoformat()} to "
                f"{named.closing.isoformat()}, {CALENDAR_FILES[treaty.code].name}), not in "
                f"{said.group(1)}; name it {named.code!r} or '{named.code} ({held})'",
            )
        ]
    if treaty is CCM:
        granted = grant_day(meeting, extends=until, calendar=calendar)
    else:
        granted = GrantDay(named.closing, "meeting", named) if named else GrantDay(None, "unknown")
    if granted.day is not None and until <= granted.day:
        by = granted.meeting.code if granted.meeting else meeting.strip()
        return [
            Problem(
                until_field,
                f"the new deadline {until.isoformat()} is not after {by} granted it "
                f"({granted.day.isoformat()}): a meeting extends a deadline that lies ahead",
            )
        ]
    return []


def extension_problems(
    *,
    state: Any,
    article: int,
    until: dt.date,
    in_force: dt.date,
    on_record: bool,
    treaty: Treaty = CCM,
) -> list[Problem]:
    """An extension step from the deadline ``in_force`` to ``until`` (Art. 3(3): at most 4
    years a step; Art. 4(5): at most 5), for an article that concerns the State."""
    problems = article_problems(state=state, article=article, on_record=on_record, treaty=treaty)
    if problems:
        return problems
    step = extension_step_problem(article, in_force, until, treaty)
    return [Problem("until", f"{state.iso3} Art. {article} extension: {step}")] if step else []
