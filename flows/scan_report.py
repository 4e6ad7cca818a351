"""What a scan found, as plain data: counts, the rows of its artifacts, and the markdown summary.

Pure functions (no Prefect, no database): the flow calls them, and so do the tests and the
benchmark.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from models.obligations import ObligationChange, SyncResult
from rules.obligations import Obligation, Status
from rules.treaties import treaty_of_key

HORIZON_DAYS = 90
# A table artifact is shown whole in the UI; the first scan of a registry changes ~2,000 rows.
MAX_TABLE_ROWS = 500
CHANGES = ("created", "changed", "met", "met_late", "not_needed", "overdue", "retired")
# Every status, in the order the summary lists them: the counts add up to the total.
STATUS_ORDER = ("overdue", "unverified", "open", "met", "met_late", "not_needed", "history", "retired")


@dataclass
class ScanSummary:
    as_of: dt.date
    states: list[str] | None  # None: every State
    total: int
    by_status: dict[str, int]
    changes: dict[str, int]
    due_soon: list[dict[str, Any]] = field(default_factory=list)
    overdue: list[dict[str, Any]] = field(default_factory=list)
    changed: list[dict[str, Any]] = field(default_factory=list)
    events_delivered: bool = False
    events_sent: int = 0
    events_note: str = ""
    names: dict[str, str] = field(default_factory=dict)  # ISO3 -> the State's name
    # False: a scan as of a day other than today only reported (``NOT_STORED``)
    stored: bool = True

    @property
    def scope(self) -> str:
        """``every State``, or the States by name and code: ``Afghanistan (AFG)``."""
        if self.states is None:
            return "every State"
        return ", ".join(_named(code, self.names) for code in self.states)


def summarize(
    *,
    computed: Sequence[Obligation],
    synced: SyncResult,
    as_of: dt.date,
    tracking_since: dt.date | None,
    states: Sequence[str] | None,
    names: Mapping[str, str] | None = None,
    horizon_days: int = HORIZON_DAYS,
    registers: Mapping[str, dt.date | None] | None = None,
    tracking_by_treaty: Mapping[str, dt.date | None] | None = None,
    registers_by_treaty: Mapping[str, Mapping[str, dt.date | None]] | None = None,
) -> ScanSummary:
    """Counts and artifact rows of one scan. ``names`` maps ISO3 codes to State names (rows
    show both); due-soon rows are sorted by due date, overdue rows by lateness (the most
    days late first), changes by due date. Each obligation's status is read with its own
    convention's tracking-since day and registers (``*_by_treaty``, code -> value) when
    given, else with ``tracking_since`` and ``registers``: as the scan stores it."""
    names = dict(names or {})
    since_of, kept_of = tracking_by_treaty or {}, registers_by_treaty or {}

    def status(o: Obligation) -> Status:
        treaty = treaty_of_key(o.key)
        return o.status(as_of, since_of.get(treaty, tracking_since), kept_of.get(treaty, registers))

    statuses = [(o, status(o)) for o in computed]
    horizon = as_of + dt.timedelta(days=horizon_days)
    due_soon = [o for o, s in statuses if s is Status.OPEN and o.due <= horizon]
    overdue = [o for o, s in statuses if s is Status.OVERDUE]
    counts = Counter(s.value for _, s in statuses)
    change_counts = Counter(c.change for c in synced.changes)
    return ScanSummary(
        as_of=as_of,
        states=list(states) if states is not None else None,
        total=len(computed),
        by_status={s.value: counts.get(s.value, 0) for s in Status},
        changes={c: change_counts.get(c, 0) for c in CHANGES},
        due_soon=[_obligation_row(o, as_of, names) for o in sorted(due_soon, key=_by_due)],
        overdue=[_obligation_row(o, as_of, names, late=True) for o in sorted(overdue, key=_by_lateness)],
        changed=[_change_row(c, names) for c in sorted(synced.changes, key=_change_order)],
        names={code: name for code, name in names.items() if states is None or code in states},
    )


def artifact_key(states: Sequence[str] | None, name: str) -> str:
    """Stable keys (lowercase, digits, dashes) so the UI keeps each table's history:
    ``ccm-scan-overdue`` for a full scan, ``ccm-rescan-overdue`` for every rescan, whatever
    its States (they are in the artifact's description and rows): four keys in all for
    rescans, not four more per State."""
    return f"ccm-{'scan' if states is None else 'rescan'}-{name}"


def table_rows(rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], str]:
    """At most MAX_TABLE_ROWS rows, and a note saying how many were left out."""
    if len(rows) <= MAX_TABLE_ROWS:
        return rows, ""
    return rows[:MAX_TABLE_ROWS], f" (first {MAX_TABLE_ROWS} of {len(rows)} shown)"


def summary_markdown(summary: ScanSummary) -> str:
    status = summary.by_status
    changes = summary.changes
    if summary.events_delivered:
        events = f"{summary.events_sent} events emitted"
    else:
        events = f"events not emitted: {summary.events_note}"
    kind = "scan" if summary.states is None else "rescan"
    lines = [
        f"# Obligations {kind}, {summary.as_of.isoformat()}",
        "",
        f"Scope: {summary.scope}. {summary.total} obligations.",
        "",
        *_most_overdue(summary),
        "| status | count |",
        "|---|---:|",
        *(f"| {name} | {status.get(name, 0)} |" for name in STATUS_ORDER),
        "",
        (
            f"Due within {HORIZON_DAYS} days: **{len(summary.due_soon)}**. "
            f"Overdue: **{len(summary.overdue)}**."
        ),
        "",
        *(["| change | count |", "|---|---:|", *(f"| {name} | {changes.get(name, 0)} |" for name in CHANGES), "",
           f"{_already_stored(summary)}."] if summary.stored else [NOT_STORED[:1].upper() + NOT_STORED[1:] + "."]),
        "",
        f"{events}.",
    ]
    return "\n".join(lines) + "\n"


def summary_lines(summary: ScanSummary) -> list[str]:
    """The same summary in a few plain lines, for the terminal and the flow's log."""
    status = summary.by_status
    return [
        f"scan of {summary.scope} as of {summary.as_of.isoformat()}: {summary.total} obligations",
        "status: " + ", ".join(f"{status.get(n, 0)} {n}" for n in STATUS_ORDER if status.get(n) or n in BASIC),
        f"due within {HORIZON_DAYS} days: {len(summary.due_soon)}; overdue: {len(summary.overdue)}",
        f"changes: {_changes(summary)}",
        (
            f"events: {summary.events_sent} emitted"
            if summary.events_delivered
            else f"events: not emitted ({summary.events_note})"
        ),
    ]


# What a scan as of another day than today says instead of its changes.
NOT_STORED = ("nothing stored: a scan as of a day other than today (Geneva) only reports; the "
              "stored statuses stay those of the last scan as of its own day")


def _changes(summary: ScanSummary) -> str:
    """The changes line's words: the counts and how many were already stored, or why
    nothing was stored."""
    if not summary.stored:
        return NOT_STORED
    counts = ", ".join(f"{summary.changes.get(n, 0)} {n}" for n in CHANGES)
    return f"{counts}; {_already_stored(summary)}"


# The statuses the terminal lists even at 0; any other only when some obligation has it.
BASIC = ("overdue", "open", "met", "history")


def _already_stored(summary: ScanSummary) -> str:
    """Why "0 created" on a first scan: ``init`` and ``import`` store the obligations too."""
    stored = summary.total - summary.changes.get("created", 0)
    return f"{stored} of the {summary.total} obligations were already stored (by `init`, an import, a record or an earlier scan)"


def _most_overdue(summary: ScanSummary, shown: int = 5) -> list[str]:
    """The most overdue obligations, first thing an operator reads (none: nothing)."""
    if not summary.overdue:
        return []
    rows = summary.overdue[:shown]
    more = len(summary.overdue) - len(rows)
    lines = ["Most overdue:", ""]
    lines += [
        f"- {row['state_name'] or row['state'] or 'Committee'}: {row['kind']}"
        f"{' ' + row['period'] if row['period'] else ''}, due {row['due']}, "
        f"{row['days_late']} days late"
        for row in rows
    ]
    if more:
        lines.append(f"- and {more} more (the overdue table)")
    return [*lines, ""]


def _named(code: str, names: Mapping[str, str]) -> str:
    name = names.get(code)
    return f"{name} ({code})" if name else code


def _by_due(obligation: Obligation) -> tuple[dt.date, str]:
    return (obligation.due, obligation.key)


def _by_lateness(obligation: Obligation) -> tuple[dt.date, str]:
    """The longest overdue first: the earliest due date (ties by key)."""
    return (obligation.due, obligation.key)


def _change_order(change: ObligationChange) -> tuple[dt.date, str, str]:
    return (change.due, change.key, change.change)


def _obligation_row(
    obligation: Obligation, as_of: dt.date, names: Mapping[str, str], *, late: bool = False
) -> dict[str, Any]:
    """A table row; ``late``: ``days_late`` (days past due) in place of ``days`` (days left)."""
    days = ("days_late", (as_of - obligation.due).days) if late else ("days", (obligation.due - as_of).days)
    return {
        "state": obligation.state or "",
        "state_name": names.get(obligation.state or "", ""),
        "kind": obligation.kind,
        "period": obligation.period or "",
        "due": obligation.due.isoformat(),
        days[0]: days[1],
        "key": obligation.key,
        "note": obligation.note,
    }


def _change_row(change: ObligationChange, names: Mapping[str, str]) -> dict[str, Any]:
    return {
        "change": change.change,
        "state": change.state or "",
        "state_name": names.get(change.state or "", ""),
        "kind": change.kind,
        "due": change.due.isoformat(),
        "previous_due": change.previous_due.isoformat() if change.previous_due else "",
        "version": change.version,
        "key": change.key,
    }
