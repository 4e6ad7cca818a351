"""`record report|extension|completion|applies`: write one fact and its audit row.

Date options follow the command line's scheme: `--on` is the day a fact took effect (the old
`--received` and `--date` still work, hidden, on `report` and `completion`; given with `--on`
they must agree), `--until` a new deadline. Every fact needs `--source`. A fact that differs
from the one on record needs `--correct --reason`; the same fact again changes nothing.
`record` writes CCM facts only (an APMBC fact comes in by `import`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

import typer

from cli.common import console, fail, today_in_geneva

if TYPE_CHECKING:  # the database layer is imported when a command runs, not for `--help`
    from sqlmodel import Session

    from models.registry import Recorded

app = typer.Typer(
    help="Record a fact: a report received, an extension granted, a completion, an article that applies.",
    no_args_is_help=True,
)

# the option a person typed, for each data field a refusal can name
OPTIONS = {
    "received_on": "--on", "completed_on": "--on", "until": "--until", "reason": "--reason",
    "correct": "--correct", "article": "--article", "source": "--source", "meeting": "--meeting",
    "report": "--year",
}

Iso3 = Annotated[
    str, typer.Argument(metavar="ISO3", help="The State's ISO 3166-1 alpha-3 code, e.g. AFG.", show_default=False)
]
Source = Annotated[str, typer.Option(metavar="TEXT", help="Where this fact comes from (a document, a URL, a letter).")]
Article = Annotated[
    int,
    typer.Option(metavar="3|4", help="3 (stockpile destruction) or 4 (clearance).", min=3, max=4, show_default=False),
]
Correct = Annotated[
    bool,
    typer.Option(
        "--correct",
        help="Replace a different value on record (the audit log keeps the old one); needs --reason.",
    ),
]
Reason = Annotated[str, typer.Option(metavar="TEXT", help="Why the value on record was wrong (with --correct).")]


def _on_option(help_text: str):  # type: ignore[no-untyped-def]
    return Annotated[
        str | None,
        typer.Option("--on", metavar="YYYY-MM-DD", help=help_text, show_default=False),
    ]


def _hidden(name: str):  # type: ignore[no-untyped-def]
    return Annotated[str | None, typer.Option(name, hidden=True, metavar="YYYY-MM-DD")]


@app.command("report")
def report(
    iso3: Iso3,
    initial: Annotated[bool, typer.Option("--initial", help="The initial report (Art. 7(1)).")] = False,
    year: Annotated[
        int | None,
        typer.Option(metavar="YYYY", help="The annual report covering this calendar year.", show_default=False),
    ] = None,
    on: _on_option("The day the ISU received it, YYYY-MM-DD (default: today in Geneva).") = None,
    received: _hidden("--received") = None,
    date: _hidden("--date") = None,
    source: Source = "",
    correct: Correct = False,
    reason: Reason = "",
) -> None:
    """Record an Art. 7 transparency report received: `--initial` or `--year YYYY`."""
    _ccm_only()
    if initial == (year is not None):
        raise fail("say which report: --initial or --year YYYY (one of them)", code=2)
    _need_source(source)
    day = _on_day(on, received=received, date=date) or today_in_geneva()
    name = "initial report" if initial else f"{year} annual report"
    from models.registry import record_report

    _record(
        lambda session: record_report(
            session=session, iso3=iso3, period=year, received_on=day, source=source,
            actor=_actor(), correct=correct, reason=reason,
        ),
        iso3,
        f"{name} received {day.isoformat()}",
        reason,
    )


@app.command("extension")
def extension(
    iso3: Iso3,
    article: Article,
    until: Annotated[
        str, typer.Option(metavar="YYYY-MM-DD", help="The new deadline granted, YYYY-MM-DD.", show_default=False)
    ],
    meeting: Annotated[
        str | None,
        typer.Option(metavar="TEXT", help="The meeting that granted it, e.g. '9MSP (2019)'.", show_default=False),
    ] = None,
    source: Source = "",
    correct: Correct = False,
    reason: Reason = "",
) -> None:
    """Record an extension granted by a Meeting of States Parties or Review Conference.

    The State must have an Art. 3/4 fact on record (`ccm-tracker record applies`).
    """
    _ccm_only()
    _need_source(source)
    day = _day(until, "--until")
    assert day is not None
    from models.registry import record_extension

    _record(
        lambda session: record_extension(
            session=session, iso3=iso3, article=article, until=day, meeting=meeting,
            source=source, actor=_actor(), correct=correct, reason=reason,
        ),
        iso3,
        f"Art. {article} deadline extended to {day.isoformat()}",
        reason,
    )


@app.command("completion")
def completion(
    iso3: Iso3,
    article: Article,
    on: _on_option("The day the work was completed, YYYY-MM-DD.") = None,
    date: _hidden("--date") = None,
    received: _hidden("--received") = None,
    source: Source = "",
    correct: Correct = False,
    reason: Reason = "",
) -> None:
    """Record that a State completed stockpile destruction (3) or clearance (4).

    The State must have an Art. 3/4 fact on record (`ccm-tracker record applies`).
    """
    _ccm_only()
    _need_source(source)
    day = _on_day(on, received=received, date=date)
    if day is None:
        raise fail("say the day the work was completed: --on YYYY-MM-DD", code=2)
    from models.registry import record_completion

    _record(
        lambda session: record_completion(
            session=session, iso3=iso3, article=article, completed_on=day, source=source,
            actor=_actor(), correct=correct, reason=reason,
        ),
        iso3,
        f"Art. {article} completed {day.isoformat()}",
        reason,
    )


@app.command("applies")
def applies(
    iso3: Iso3,
    article: Article,
    source: Source = "",
    notes: Annotated[str, typer.Option(metavar="TEXT", help="Anything a reader should know (what the source says).")] = "",
) -> None:
    """Record that an article concerns a State: it held stockpiles (3) or had contaminated
    areas (4). Its deadline then follows from the rules; extensions and completions need it.
    """
    _ccm_only()
    _need_source(source)
    from models.registry import record_applies

    _record(
        lambda session: record_applies(
            session=session, iso3=iso3, article=article, source=source, actor=_actor(), notes=notes
        ),
        iso3,
        f"Art. {article} applies",
        "",
    )


def _ccm_only() -> None:
    """`record` writes CCM facts: under `--treaty apmbc` (or `all`) it refuses rather than
    record a CCM fact the person did not mean."""
    from cli.common import _root_treaty

    chosen = _root_treaty[0]  # the root `--treaty` as typed (None: not given)
    if chosen is not None and chosen.casefold() != "ccm":
        raise fail(
            f"--treaty {chosen}: record writes CCM facts only; record an APMBC fact by importing an "
            "APMBC file (`ccm-tracker import apmbc_FILE.csv`, see README \"Treaties\")",
            code=2,
        )


def _need_source(source: str) -> None:
    if not source.strip():
        raise fail("--source: say where this fact comes from (a document, a URL, a letter); "
                   "a fact without a source is not kept", code=2)


def _on_day(on: str | None, **aliases: str | None) -> dt.date | None:
    """The day of `--on` or of its old names (`--received`, `--date`); two that disagree are
    refused (exit 2) naming both, never one silently dropped."""
    given = [("--on", on)] + [(f"--{name}", value) for name, value in aliases.items()]
    days = [(option, _day(value, option)) for option, value in given if value is not None]
    for option, day in days[1:]:
        if day != days[0][1]:
            first, first_day = days[0]
            raise fail(
                f"{first} {first_day} and {option} {day} disagree: give the day once (--on YYYY-MM-DD)", code=2
            )
    return days[0][1] if days else None


def _day(value: str | None, option: str) -> dt.date | None:
    from models.validation import FactRejected, parse_day

    if value is None:
        return None
    try:
        return parse_day(value, field=option)
    except FactRejected as rejected:
        raise typer.BadParameter(str(rejected), param_hint=option) from None


def _actor() -> str:
    from settings import get_settings

    return get_settings().actor


def _record(write: Callable[[Session], Recorded], iso3: str, summary: str, reason: str) -> None:
    from models.db import session_scope
    from models.refresh import changes
    from models.validation import FactRejected

    try:
        with session_scope() as session:
            from cli.choices import check_states

            check_states("ISO3", [iso3], session=session)  # `afg`, `Afghanistan`: exit 2, did you mean AFG
            recorded = write(session)  # the fact, its audit row and the refreshed obligations
            changed = changes(session)
    except FactRejected as rejected:
        option = OPTIONS.get(rejected.field or "")
        raise fail(f"{option}: {rejected}" if option else str(rejected)) from None
    code = recorded.iso3
    if recorded.change == "unchanged":
        console.print(f"already on record: {code} {summary} (nothing changed)", highlight=False, markup=False)
        return
    if recorded.change == "corrected":
        console.print(
            f"corrected: {code} {summary} (was {recorded.old}; reason: {reason})", highlight=False, markup=False
        )
    else:
        console.print(f"recorded: {code} {summary}", highlight=False, markup=False)
    announce_fact(code, summary)
    announce_obligation_changes(changed)


def announce_obligation_changes(changed) -> None:  # type: ignore[no-untyped-def]
    """Emit `ccm.obligation.<change>` for what the write changed (where an API is set)."""
    if not changed:
        return
    from flows.events import announce_changes

    delivery = announce_changes(changed)
    if delivery.delivered:
        console.print(f"events delivered: {len(changed)} obligation change(s)", highlight=False)


def announce_fact(iso3: str, summary: str = "") -> None:
    """Emit `ccm.fact.recorded` for the State (only where a Prefect API is configured)."""
    from cli.announcing import announce
    from flows.events import state_resource

    announce(state_resource(iso3), summary, {"iso3": iso3})
