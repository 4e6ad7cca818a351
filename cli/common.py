"""What every command shares: today's date in Geneva, date parsing, output formats."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Sequence
from enum import StrEnum
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from clock import today_in_geneva  # noqa: F401  (re-exported for the commands)
from rules.dates import GENEVA  # noqa: F401  (re-exported for the commands)

console = Console()
err_console = Console(stderr=True)


class OutputFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


def parse_date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)", param_hint=option)


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print ``message`` on stderr (never wrapped, so it can be grepped) and return the exit."""
    typer.secho(f"error: {message}", err=True, fg="red")
    return typer.Exit(code)


def emit_rows(
    rows: Sequence[dict[str, Any]],
    fmt: OutputFormat,
    columns: Sequence[str],
    title: str = "",
) -> None:
    """Print ``rows`` as a Rich table, a JSON list, or CSV with a header."""
    if fmt is OutputFormat.json:
        typer.echo(json.dumps(list(rows), indent=2, default=_json_default))
        return
    if fmt is OutputFormat.csv:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(columns), extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _text(row.get(k)) for k in columns})
        typer.echo(buffer.getvalue(), nl=False)
        return
    table = Table(title=title or None, title_justify="left")
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*(_text(row.get(c)) for c in columns), style=_style(row))
    console.print(table)


def _style(row: dict[str, Any]) -> str | None:
    return {"overdue": "red", "met": "green", "history": "dim"}.get(str(row.get("status")))


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    raise TypeError(f"cannot serialise {type(value).__name__}")
