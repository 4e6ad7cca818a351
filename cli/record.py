"""`record report|extension|completion`: write one fact and its audit row."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.common import console, fail, parse_date, today_in_geneva
from models.db import session_scope
from models.registry import FactRejected, record_completion, record_extension, record_report
from settings import get_settings

app = typer.Typer(help="Record a fact: a report received, an extension granted, a completion.", no_args_is_help=True)

Source = Annotated[str, typer.Option(help="Where this fact comes from (a document, a URL, a letter).")]
Article = Annotated[int, typer.Option(help="3 (stockpile destruction) or 4 (clearance).", min=3, max=4)]


@app.command("report")
def report(
    iso3: Annotated[str, typer.Argument(help="The State's ISO 3166-1 alpha-3 code, e.g. AFG.")],
    initial: Annotated[bool, typer.Option("--initial", help="The initial report (Art. 7(1)).")] = False,
    year: Annotated[int | None, typer.Option(help="The annual report covering this calendar year.")] = None,
    received: Annotated[str | None, typer.Option(help="Day received (default: today).")] = None,
    source: Source = "",
) -> None:
    """Record an Art. 7 transparency report received: `--initial` or `--year YYYY`."""
    if initial == (year is not None):
        raise fail("say which report: --initial or --year YYYY (one of them)", code=2)
    day = parse_date(received, "--received") or today_in_geneva()
    _record(
        lambda session: record_report(
            session=session, iso3=iso3, period=year, received_on=day, source=source, actor=_actor()
        ),
        iso3,
        f"{'initial' if initial else f'{year} annual'} report received {day.isoformat()}",
    )


@app.command("extension")
def extension(
    iso3: Annotated[str, typer.Argument(help="The State's ISO3 code.")],
    article: Article,
    until: Annotated[str, typer.Option(help="The new deadline granted.")],
    meeting: Annotated[str | None, typer.Option(help="The meeting that granted it, e.g. '9MSP (2019)'.")] = None,
    source: Source = "",
) -> None:
    """Record an extension granted by a Meeting of States Parties or Review Conference."""
    day = parse_date(until, "--until")
    assert day is not None
    _record(
        lambda session: record_extension(
            session=session, iso3=iso3, article=article, until=day, meeting=meeting,
            source=source, actor=_actor(),
        ),
        iso3,
        f"Art. {article} deadline extended to {day.isoformat()}",
    )


@app.command("completion")
def completion(
    iso3: Annotated[str, typer.Argument(help="The State's ISO3 code.")],
    article: Article,
    date: Annotated[str, typer.Option(help="The day the work was completed.")],
    source: Source = "",
) -> None:
    """Record that a State completed stockpile destruction (3) or clearance (4)."""
    day = parse_date(date, "--date")
    assert day is not None
    _record(
        lambda session: record_completion(
            session=session, iso3=iso3, article=article, completed_on=day, source=source,
            actor=_actor(),
        ),
        iso3,
        f"Art. {article} completed {day.isoformat()}",
    )


def _actor() -> str:
    return get_settings().actor


def _record(write, iso3: str, summary: str) -> None:  # type: ignore[no-untyped-def]
    try:
        with session_scope() as session:
            write(session)
    except FactRejected as rejected:
        raise fail(str(rejected))
    console.print(f"recorded: {iso3.upper()} {summary}", highlight=False)
    announce_fact(iso3.upper(), summary)


def announce_fact(iso3: str, summary: str = "") -> None:
    """Emit `ccm.fact.recorded` for the State (only where a Prefect API is configured)."""
    from cli.announcing import announce
    from flows.events import state_resource

    announce(state_resource(iso3), summary, {"iso3": iso3})
