"""`record report|extension|completion|applies`: write one fact and its audit row.

Date options follow the command line's scheme: `--on` is the day a fact took effect (the old
`--received` and `--date` still work, hidden, on `report` and `completion`; given with `--on`
they must agree), `--until` a new deadline. Every fact needs `--source`. A fact that differs
from the one on record needs `--correct --reason`; the same fact again changes nothing.

`--treaty ccm|apmbc` (on the command, or before it: `ccm-tracker --treaty apmbc record ...`;
the CCM by default) says which convention the fact is under: the APMBC's articles are 4
(stockpile destruction, no extension) and 5 (clearance). The same writers
(``models.registry``) store either, with the same checks, audit, refresh and events.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

import typer

from cli.common import OneTreatyChoice, console, fail, today_in_geneva

if TYPE_CHECKING:  # the database layer is imported when a command runs, not for `--help`
    from sqlmodel import Session

    from models.registry import Recorded
    from rules.treaties import Treaty

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
    typer.Option(
        metavar="3|4|5",
        help="CCM: 3 (stockpile destruction) or 4 (clearance); APMBC: 4 (stockpile destruction) or 5 (clearance).",
        show_default=False,
    ),
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
    treaty: OneTreatyChoice = None,
) -> None:
    """Record an Art. 7 transparency report received: `--initial` or `--year YYYY`."""
    chosen = _one_treaty(treaty)
    if initial == (year is not None):
        raise fail("say which report: --initial or --year YYYY (one of them)", code=2)
    _need_source(source)
    day = _on_day(on, received=received, date=date) or today_in_geneva()
    name = "initial report" if initial else f"{year} annual report"
    from models.registry import record_report

    _record(
        lambda session: record_report(
            session=session, iso3=iso3, period=year, received_on=day, source=source,
            actor=_actor(), correct=correct, reason=reason, treaty=chosen,
        ),
        iso3,
        f"{_under(chosen)}{name} received {day.isoformat()}",
        reason,
        chosen,
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
    treaty: OneTreatyChoice = None,
) -> None:
    """Record an extension granted by a Meeting of States Parties or Review Conference.

    The State must have an article fact on record (`ccm-tracker record applies`). Under the
    APMBC only Art. 5 (clearance) deadlines are extended. --meeting names a meeting of the
    convention's calendar (data/ccm_meetings.csv, data/apmbc_meetings.csv), e.g.
    `--meeting '22MSP (2025)'`; a name not on it is refused with the code meant. An APMBC
    step counts from that meeting's closing day or the day recorded, whichever is earlier.
    """
    chosen = _one_treaty(treaty)
    _check_article(chosen, article, extension=True)
    _need_source(source)
    day = _day(until, "--until")
    assert day is not None
    from models.registry import record_extension

    _record(
        lambda session: record_extension(
            session=session, iso3=iso3, article=article, until=day, meeting=meeting,
            source=source, actor=_actor(), correct=correct, reason=reason, treaty=chosen,
        ),
        iso3,
        f"{_under(chosen)}Art. {article} deadline extended to {day.isoformat()}",
        reason,
        chosen,
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
    treaty: OneTreatyChoice = None,
) -> None:
    """Record that a State completed stockpile destruction (CCM 3, APMBC 4) or clearance
    (CCM 4, APMBC 5).

    The State must have an article fact on record (`ccm-tracker record applies`).
    """
    chosen = _one_treaty(treaty)
    _check_article(chosen, article)
    _need_source(source)
    day = _on_day(on, received=received, date=date)
    if day is None:
        raise fail("say the day the work was completed: --on YYYY-MM-DD", code=2)
    from models.registry import record_completion

    _record(
        lambda session: record_completion(
            session=session, iso3=iso3, article=article, completed_on=day, source=source,
            actor=_actor(), correct=correct, reason=reason, treaty=chosen,
        ),
        iso3,
        f"{_under(chosen)}Art. {article} completed {day.isoformat()}",
        reason,
        chosen,
    )


@app.command("applies")
def applies(
    iso3: Iso3,
    article: Article,
    source: Source = "",
    notes: Annotated[str, typer.Option(metavar="TEXT", help="Anything a reader should know (what the source says).")] = "",
    treaty: OneTreatyChoice = None,
) -> None:
    """Record that an article concerns a State: it held stockpiles (CCM 3, APMBC 4) or had
    contaminated areas (CCM 4, APMBC 5). Its deadline then follows from the rules;
    extensions and completions need it.
    """
    chosen = _one_treaty(treaty)
    _check_article(chosen, article)
    _need_source(source)
    from models.registry import record_applies

    _record(
        lambda session: record_applies(
            session=session, iso3=iso3, article=article, source=source, actor=_actor(), notes=notes,
            treaty=chosen,
        ),
        iso3,
        f"{_under(chosen)}Art. {article} applies",
        "",
        chosen,
    )


def _one_treaty(value: str | None) -> Treaty:
    """The one convention a fact is under: the command's `--treaty`, else the root's, else
    the CCM. `all` is refused (exit 2): a fact is under one convention."""
    from cli.common import one_treaty

    return one_treaty(value, "a fact is under one convention")


def _check_article(treaty: Treaty, article: int, *, extension: bool = False) -> None:
    """`--article` must be one of the treaty's deadline articles, and for an extension one
    that can be extended (the APMBC's Art. 4 has no extension): exit 2, nothing written."""
    from models.validation import article_choice_problems, extension_step_refusal

    problems = article_choice_problems(article, treaty=treaty)
    if not problems and extension and not treaty.article(article).extendable:
        problems = [extension_step_refusal(treaty, article)]
    if problems:
        raise fail(f"--article {article}: {problems[0].reason}", code=2)


def _under(treaty: Treaty) -> str:
    """The summary's prefix: nothing for the CCM (its lines keep their form), ``APMBC `` otherwise."""
    from rules.treaties import CCM

    return "" if treaty is CCM else f"{treaty.code} "


def _need_source(source: str) -> None:
    """A usage error before the database is opened (the model refuses it too)."""
    if not source.strip():
        from models.validation import SOURCE_NEEDED

        raise fail(f"--source: {SOURCE_NEEDED}", code=2)


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


def _record(
    write: Callable[[Session], Recorded], iso3: str, summary: str, reason: str, treaty: Treaty | None = None
) -> None:
    from models.db import session_scope
    from models.refresh import changes, written_revision
    from models.validation import FactRejected

    try:
        with session_scope() as session:
            from cli.choices import check_states

            # `afg`, `Afghanistan`: exit 2, did you mean AFG (among the treaty's participants)
            check_states("ISO3", [iso3], session=session, treaties=(treaty,) if treaty else ())
            recorded = write(session)  # the fact, its audit row and the refreshed obligations
            changed, revision = changes(session), written_revision(session)
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
    announce_fact(code, summary, revision)
    announce_obligation_changes(changed)


def announce_obligation_changes(changed) -> None:  # type: ignore[no-untyped-def]
    """Emit `ccm.obligation.<change>` for what the write changed (where an API is set)."""
    if not changed:
        return
    from flows.events import announce_changes

    delivery = announce_changes(changed)
    if delivery.delivered:
        console.print(f"events delivered: {len(changed)} obligation change(s)", highlight=False)


def announce_fact(iso3: str, summary: str = "", revision: int | None = None) -> None:
    """Emit `ccm.fact.recorded` for the State (only where a Prefect API is configured), with
    the data revision the write produced."""
    from cli.announcing import announce
    from flows.events import state_resource

    announce(state_resource(iso3), summary, {"iso3": iso3}, revision=revision)
