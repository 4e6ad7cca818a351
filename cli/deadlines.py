"""`deadlines`: what is due, what is overdue, and the history, computed from the facts."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from cli.common import OutputFormat, emit_rows, parse_date, today_in_geneva
from models.db import session_scope
from models.obligations import compute_obligations
from models.tracking import tracking_since as tracking_since_of
from rules.obligations import Obligation, Status
from settings import get_settings

COLUMNS = ["key", "state", "kind", "period", "due", "original_due", "status", "met_on", "note"]
TABLE_COLUMNS = ["state", "kind", "period", "due", "original_due", "status", "days"]


def register(app: typer.Typer) -> None:
    app.command("deadlines")(deadlines)


def deadlines(
    as_of: Annotated[str | None, typer.Option(help="Compute as on this day (default: today in Geneva).")] = None,
    state: Annotated[list[str] | None, typer.Option(help="Only this State (ISO3); repeatable.")] = None,
    kind: Annotated[list[str] | None, typer.Option(help="Only this kind, e.g. art7_annual; repeatable.")] = None,
    within: Annotated[int | None, typer.Option(help="Only open obligations due in the next DAYS days (plus overdue ones).")] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only overdue obligations.")] = False,
    fmt: Annotated[OutputFormat, typer.Option("--format", help="table, json or csv")] = OutputFormat.table,
) -> None:
    """List obligations with their due date (after extensions) and status.

    Status is `open`, `met`, `overdue`, or `history` (fell due before tracking began, with
    nothing recorded). With no filter, json and csv list every obligation, history included;
    the table shows what needs attention: overdue, and open within 90 days.
    """
    day = parse_date(as_of, "--as-of") or today_in_geneva()
    settings = get_settings()
    with session_scope() as session:
        since = tracking_since_of(session=session, override=settings.tracking_since)
        wanted_states = [s.upper() for s in state] if state else None
        found = compute_obligations(session=session, as_of=day, settings=settings, states=wanted_states)
    rows = [_row(o, day, since) for o in found]
    if kind:
        rows = [r for r in rows if r["kind"] in kind]
    if within is None and not overdue and fmt is OutputFormat.table:
        within = 90
    if overdue:
        rows = [r for r in rows if r["status"] == Status.OVERDUE]
    elif within is not None:
        horizon = day + dt.timedelta(days=within)
        rows = [
            r
            for r in rows
            if r["status"] == Status.OVERDUE or (r["status"] == Status.OPEN and r["due"] <= horizon)
        ]
    rows.sort(key=lambda r: (r["due"], r["key"]))
    title = f"{len(rows)} obligations as of {day.isoformat()}"
    if within is not None and not overdue:
        title += f" (overdue, and open within {within} days)"
    emit_rows(rows, fmt, TABLE_COLUMNS if fmt is OutputFormat.table else COLUMNS, title=title)


def _row(obligation: Obligation, day: dt.date, since: dt.date | None) -> dict[str, object]:
    status = obligation.status(day, since)
    return {
        "key": obligation.key,
        "state": obligation.state,
        "kind": obligation.kind,
        "period": obligation.period,
        "due": obligation.due,
        "original_due": obligation.original_due,
        "status": status.value,
        "met_on": obligation.met_on,
        "note": obligation.note,
        "days": (obligation.due - day).days,
    }
