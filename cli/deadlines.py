"""`deadlines`: what is due, what is overdue, and the history, computed from the facts."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import typer

from cli.common import (
    AsOf,
    Format,
    OutputFormat,
    StateFilter,
    TreatyChoice,
    chosen_treaties,
    emit_rows,
    parse_date,
    registers_by_treaty,
    today_in_geneva,
    tracking_by_treaty,
)

if TYPE_CHECKING:
    from rules.obligations import Obligation, Registers

COLUMNS = ["key", "state", "state_name", "kind", "period", "due", "original_due", "status",
           "met_on", "days_late", "note"]
TABLE_COLUMNS = ["key", "state_name", "due", "original_due", "status", "days"]


def register(app: typer.Typer) -> None:
    app.command("deadlines")(deadlines)


def deadlines(
    as_of: AsOf = None,
    state: StateFilter = None,
    kind: Annotated[list[str] | None, typer.Option(metavar="KIND", help="Only this kind, e.g. art7_annual; repeatable.")] = None,
    theme: Annotated[list[str] | None, typer.Option(metavar="THEME", help="Only this theme's obligations, e.g. transparency; repeatable.")] = None,
    within: Annotated[int | None, typer.Option(metavar="DAYS", min=0, max=36500, help="Only open obligations due in the next DAYS days (plus overdue ones).")] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only overdue obligations.")] = False,
    fmt: Format = OutputFormat.table,
    treaty: TreatyChoice = None,
) -> None:
    """List obligations with their due date (after extensions) and status.

    `--treaty apmbc` lists the APMBC's obligations (keys `APMBC:AFG:art5_clearance`),
    `--treaty all` both conventions'; each row says its `treaty`.

    Status is `open`, `overdue`, `met` (on time), `met_late`, `not_needed` (an extension
    request made moot by completion), `unverified` (past due, nothing recorded, and no
    register of that kind of fact is kept) or `history` (fell due before tracking began, with
    nothing recorded). With `--as-of D`, only the facts in effect on D count. With no filter, json and csv list every obligation, history included;
    the table shows what needs attention: overdue, and open within 90 days. Filters combine:
    `--state`, `--kind` and `--theme` each take several values (any of them), and an unknown
    value is refused with the valid ones. The table's `days` is the due date minus the day
    asked (negative once past due: -273 is csv/json `days_late` 273).
    """
    from cli.choices import check_choices, check_for_treaties, check_states
    from rules.themes import KINDS, THEMES
    from rules.treaties import TREATIES

    day = parse_date(as_of, "--as-of") or today_in_geneva()
    treaties = chosen_treaties(treaty)
    every_theme = list(dict.fromkeys([*THEMES, *(th for t in TREATIES.values() for th in t.themes)]))
    kinds = check_for_treaties("--kind", check_choices("--kind", kind, KINDS), treaties)
    themes = check_for_treaties("--theme", check_choices("--theme", theme, every_theme), treaties, what="theme")

    from sqlmodel import select

    from models.db import session_scope
    from models.obligations import compute_obligations
    from models.tables import State
    from rules.treaties import CCM
    from settings import get_settings

    settings = get_settings()
    with session_scope() as session:
        wanted_states = check_states("--state", state, session=session, treaties=treaties) or None
        since = tracking_by_treaty(session=session, override=settings.tracking_since, treaties=treaties)
        kept = registers_by_treaty(session=session, treaties=treaties)
        found = compute_obligations(session=session, as_of=day, settings=settings, states=wanted_states,
                                    treaties=treaties)
        names: dict[str, str] = {}
        if any(t is not CCM for t in treaties):  # another convention's tables, only when asked for
            from models.treaty_tables import TreatyParty

            names.update(session.exec(select(TreatyParty.iso3, TreatyParty.name)).all())
        names.update(session.exec(select(State.iso3, State.name)).all())
    rows = [_row(o, day, since, names, kept) for o in found if _in_themes(o, themes)]
    if kinds:
        rows = [r for r in rows if r["kind"] in kinds]
    if within is None and not overdue and fmt is OutputFormat.table:
        within = 90
    if overdue:
        rows = [r for r in rows if r["status"] == "overdue"]
    elif within is not None:
        horizon = day + dt.timedelta(days=within)
        rows = [
            r
            for r in rows
            if r["status"] == "overdue" or (r["status"] == "open" and r["due"] <= horizon)
        ]
    rows.sort(key=lambda r: (r["due"], r["key"]))
    title = f"{len(rows)} obligations as of {day.isoformat()}"
    if within is not None and not overdue:
        title += f" (overdue, and open within {within} days)"
    if fmt is OutputFormat.table:  # the table names the convention when it may hold two
        columns = TABLE_COLUMNS if treaties == (CCM,) else ["treaty", *TABLE_COLUMNS]
    else:  # a file's columns never depend on the options: a spreadsheet built on one reads the next
        columns = ["treaty", *COLUMNS, "days"]
    emit_rows(rows, fmt, columns, title=title)


def _in_themes(obligation: Obligation, themes: list[str]) -> bool:
    if not themes:
        return True
    from rules.themes import themes_of

    return any(t in themes for t in themes_of(obligation.kind, obligation.theme))


def _row(
    obligation: Obligation,
    day: dt.date,
    since: dict[str, dt.date | None],
    names: dict[str, str],
    kept: dict[str, Registers],
) -> dict[str, object]:
    from rules.treaties import treaty_of_key

    treaty = treaty_of_key(obligation.key)
    status = obligation.status(day, since.get(treaty), kept.get(treaty, {}))
    return {
        "treaty": treaty,
        "key": obligation.key,
        "state": obligation.state,
        "state_name": names.get(obligation.state or "", ""),
        "kind": obligation.kind,
        "period": obligation.period,
        "due": obligation.due,
        "original_due": obligation.original_due,
        "status": status.value,
        "met_on": obligation.met_on,
        "days_late": _days_late(obligation, status.value, day),
        "note": obligation.note,
        "days": (obligation.due - day).days,
    }


def _days_late(obligation: Obligation, status: str, day: dt.date) -> int | None:
    """Days past the due date, for the two late statuses only: as of ``day`` while
    ``overdue``; on the day it was met when ``met_late``. None for every other status (an
    extension request granted by the deadline it extends is ``met`` though its ``met_on`` is
    after the request's due day: it was on time, README "Obligations and their JSON fields")."""
    if status == "overdue":
        return (day - obligation.due).days
    if status == "met_late" and obligation.met_on is not None:
        return (obligation.met_on - obligation.due).days
    return None
