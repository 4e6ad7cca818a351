"""What every command shares: dates (YYYY-MM-DD), output formats, printing stored text as text.

Kept light on purpose: `ccm-tracker --help` imports this module, so Rich, the database and
the clock are imported when a command first prints or reads, not here.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from collections.abc import Sequence
from enum import StrEnum
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from pathlib import Path

    from rich.console import Console

# The treaty's working day is Geneva's (rules.dates.GENEVA; kept here as text so that the
# help screen does not import pendulum).
GENEVA = "Europe/Zurich"

DATE = "YYYY-MM-DD"
# A day asked about must leave room for the deadlines computed from it (a report for year
# 9999 falls due in 10000, which no date holds).
LAST_DAY = dt.date(2999, 12, 31)
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


class OutputFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


def today_in_geneva() -> dt.date:
    from clock import today_in_geneva as today

    return today()


def a_path(value: str) -> Path:
    """A file or folder named on the command line (typer's ``parser=``). An empty value is a
    usage error (exit 2) naming the option or argument: ``Path("")`` would silently be the
    current folder."""
    from pathlib import Path

    if not value.strip():
        raise typer.BadParameter("is empty; name a file or folder")
    return Path(value)


def parse_date(value: str | None, option: str) -> dt.date | None:
    """``YYYY-MM-DD`` or None; anything else is a usage error naming ``option``."""
    if value is None:
        return None
    try:
        if not _ISO_DAY.fullmatch(value):  # fromisoformat also takes 20260502 and 2026-W18-6
            raise ValueError(value)
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date ({DATE})", param_hint=option) from None
    if day > LAST_DAY:
        raise typer.BadParameter(
            f"{value!r} is after {LAST_DAY}, the last day the tracker computes deadlines for",
            param_hint=option)
    return day


def registers_by_treaty(*, session: Any, treaties: Sequence[Any] | None = None) -> dict[str, Any]:
    """Each treaty's code -> its registers of facts (register name -> the day from which it
    is kept, or None): the CCM's from ``models.tracking.registers``, another convention's
    from ``models.treaty_facts.treaty_registers`` (the same ones the scan stores statuses
    with, so every channel gives a row the same status). Only ``treaties``
    (``rules.treaties.Treaty``) when given, every convention otherwise: another
    convention's tables are loaded only when it is asked for."""
    from models.tracking import registers
    from rules.treaties import CCM, TREATIES

    found: dict[str, Any] = {}
    for treaty in TREATIES.values() if treaties is None else treaties:
        if treaty is CCM:
            found[treaty.code] = registers(session=session)
        else:
            from models.treaty_facts import treaty_registers

            found[treaty.code] = treaty_registers(session=session, treaty=treaty.code)
    return found


def tracking_by_treaty(*, session: Any, override: dt.date | None, treaties: Sequence[Any]) -> dict[str, Any]:
    """Each of ``treaties``' code -> its tracking-since day (before it, an obligation with
    nothing recorded is history): ``models.treaty_facts.treaty_tracking_since``, the CCM's
    read without loading another convention's tables."""
    from models.tracking import tracking_since
    from rules.treaties import CCM

    found: dict[str, Any] = {}
    for treaty in treaties:
        if treaty is CCM:
            found[treaty.code] = tracking_since(session=session, override=override)
        else:
            from models.treaty_facts import treaty_tracking_since

            found[treaty.code] = treaty_tracking_since(session=session, treaty=treaty, override=override)
    return found


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print ``message`` on stderr (never wrapped, so it can be grepped) and return the exit."""
    typer.secho(f"error: {message}", err=True, fg="red")
    return typer.Exit(code)


def _make_console(stderr: bool) -> Console:
    """Rich's console. On a terminal it wraps to the terminal's width; anywhere else (a pipe,
    a file) lines and tables are never cut or wrapped, so keys and slugs stay whole."""
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    terminal = stream.isatty()
    return Console(stderr=stderr, width=None if terminal else 100_000, soft_wrap=not terminal)


class _LazyConsole:
    """A Rich console made on first use (importing Rich costs time `--help` does not need)."""

    def __init__(self, stderr: bool = False) -> None:
        self._stderr = stderr

    @cache  # noqa: B019 - two instances, for the life of the process
    def _console(self) -> Console:
        return _make_console(self._stderr)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._console(), name)


console: Any = _LazyConsole()
err_console: Any = _LazyConsole(stderr=True)


def say(text: str, *, style: str | None = None, err: bool = False) -> None:
    """Print ``text`` exactly: stored text (a State's name, a source) is never read as markup."""
    from rich.text import Text

    (err_console if err else console).print(Text(text, style=style or ""), highlight=False)


def emit_rows(
    rows: Sequence[dict[str, Any]],
    fmt: OutputFormat,
    columns: Sequence[str],
    title: str = "",
) -> None:
    """Print ``rows`` as a Rich table, a JSON list, or CSV (see ``write_csv``)."""
    if fmt is OutputFormat.json:
        typer.echo(json.dumps(list(rows), indent=2, default=_json_default, ensure_ascii=False))
        return
    if fmt is OutputFormat.csv:
        write_csv(rows, columns)
        return
    from rich.table import Table
    from rich.text import Text

    table = Table(title=Text(title) if title else None, title_justify="left")
    for column in columns:
        table.add_column(column, overflow="fold")  # a long key wraps; it is never cut short
    for row in rows:
        table.add_row(*(Text(_text(row.get(c))) for c in columns), style=_style(row))
    console.print(table)


def write_csv(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> None:
    """CSV for spreadsheets: UTF-8 with a byte-order mark and CRLF line ends (RFC 4180).

    Excel reads a CSV without a BOM in the machine's legacy code page, so "Côte d'Ivoire"
    would come out garbled; with the BOM it opens correctly by double-click, and Python's
    ``csv`` module and LibreOffice read it too (``encoding="utf-8-sig"`` drops the BOM).
    """
    import csv
    import io

    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=list(columns), extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _text(row.get(k)) for k in columns})
    data = ("\ufeff" + buffer.getvalue()).encode("utf-8")
    stream = sys.stdout.buffer if hasattr(sys.stdout, "buffer") else None
    if stream is None:  # a captured stdout without bytes (tests)
        sys.stdout.write(data.decode("utf-8"))
    else:
        sys.stdout.flush()
        stream.write(data)
        stream.flush()


def _style(row: dict[str, Any]) -> str:
    return {"overdue": "red", "met": "green", "met_late": "yellow", "history": "dim"}.get(
        str(row.get("status")), ""
    )


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return " ".join(str(v) for v in value)
    return str(value)


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    raise TypeError(f"cannot serialise {type(value).__name__}")


# Options every command spells the same way. Dates: `--as-of` is the day an answer is for,
# `--on` the day a fact took effect, `--due` a deadline being set, `--until` a new deadline
# (an extension, a snooze). Older names stay as hidden aliases (see `either`).
AsOf = Annotated[
    str | None,
    typer.Option("--as-of", metavar=DATE, help="Answer as on this day (default: today in Geneva)."),
]
On = Annotated[
    str | None,
    typer.Option("--on", metavar=DATE, help="The day it took effect (default: today in Geneva)."),
]
Format = Annotated[
    OutputFormat,
    typer.Option("--format", help="table (for people), json, or csv (UTF-8 with BOM, for Excel)."),
]
StateFilter = Annotated[
    list[str] | None,
    typer.Option("--state", metavar="ISO3", help="Only this State (ISO3 code, e.g. AFG); repeatable."),
]


def hidden_alias(name: str) -> Any:
    """A former option name, still accepted, not shown in `--help`."""
    return typer.Option(name, metavar=DATE, hidden=True)


def either(new: str | None, old: str | None, new_name: str, old_name: str) -> str | None:
    """The value of an option or of its former name (both given: a usage error)."""
    if new is not None and old is not None and new != old:
        raise typer.BadParameter(f"give {new_name} only ({old_name} is its former name)", param_hint=old_name)
    return new if new is not None else old


# --treaty (issue 14): the root option (`ccm-tracker --treaty apmbc states`) sets the default
# for the command that follows; a command's own --treaty wins. The CCM when neither is given.
TREATY_CHOICES = ("ccm", "apmbc", "all")
TreatyChoice = Annotated[
    str | None,
    typer.Option("--treaty", metavar="ccm|apmbc|all",
                 help="The convention: ccm (the default), apmbc, or all of them."),
]
# the commands that concern every convention unless told otherwise (the scan, reminders,
# letters, outreach, money): chosen_treaties(value, default="all")
EveryTreatyChoice = Annotated[
    str | None,
    typer.Option("--treaty", metavar="ccm|apmbc|all",
                 help="The convention: all of them (the default), ccm or apmbc."),
]
OneTreatyChoice = Annotated[
    str | None,
    typer.Option("--treaty", metavar="ccm|apmbc", help="The convention: ccm (the default) or apmbc."),
]
_root_treaty: list[str | None] = [None]


def set_root_treaty(value: str | None) -> None:
    _root_treaty[0] = value


def root_treaty() -> str | None:
    """The root ``--treaty`` as given (None when it was not)."""
    return _root_treaty[0]


def chosen_treaties(value: str | None = None, default: str = "ccm") -> tuple[Any, ...]:
    """The ``rules.treaties.Treaty`` values a command works on: its own ``--treaty``, else the
    root ``--treaty``, else ``default`` (the CCM; ``all`` for letters and the scan). An
    unknown value is refused (exit 2) with the valid ones."""
    from cli.choices import check_choice
    from rules.treaties import treaties_named

    choice = value or _root_treaty[0] or default
    check_choice("--treaty", choice.lower(), TREATY_CHOICES)
    return treaties_named(choice)


def one_treaty(value: str | None, why: str) -> Any:
    """The one ``rules.treaties.Treaty`` a command works on (``facts``, ``record``, ``themes
    add-target``): its own ``--treaty``, else the root's, else the CCM. ``all`` is a usage
    error (exit 2) saying ``why`` (``a fact is under one convention``); a typo is refused
    with the values this command takes (ccm, apmbc)."""
    from cli.choices import check_choice
    from errors import UsageError
    from rules.treaties import treaty_named

    choice = (value or _root_treaty[0] or "ccm").lower()
    if choice == "all":
        raise UsageError(f"--treaty all: {why}; say --treaty ccm or --treaty apmbc")
    check_choice("--treaty", choice, ("ccm", "apmbc"))
    return treaty_named(choice)
