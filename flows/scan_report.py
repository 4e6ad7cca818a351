"""What a scan found, as plain data: counts, the rows of its artifacts, and the markdown summary.

Pure functions (no Prefect, no database): the flow calls them, and so do the tests and the
benchmark.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from models.obligations import ObligationChange, SyncResult
from rules.obligations import Obligation, Status

HORIZON_DAYS = 90
# A table artifact is shown whole in the UI; the first scan of a registry changes ~2,000 rows.
MAX_TABLE_ROWS = 500
CHANGES = ("created", "changed", "met", "overdue")


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

    @property
    def scope(self) -> str:
        return "every State" if self.states is None else ", ".join(self.states)


def summarize(
    *,
    computed: Sequence[Obligation],
    synced: SyncResult,
    as_of: dt.date,
    tracking_since: dt.date | None,
    states: Sequence[str] | None,
    horizon_days: int = HORIZON_DAYS,
) -> ScanSummary:
    statuses = [(o, o.status(as_of, tracking_since)) for o in computed]
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
        due_soon=[_obligation_row(o, as_of) for o in sorted(due_soon, key=_by_due)],
        overdue=[_obligation_row(o, as_of) for o in sorted(overdue, key=_by_due)],
        changed=[_change_row(c) for c in sorted(synced.changes, key=_change_order)],
    )


def artifact_key(states: Sequence[str] | None, name: str) -> str:
    """Stable keys (lowercase, digits, dashes) so the UI keeps each table's history:
    ``ccm-scan-overdue`` for a full scan, ``ccm-rescan-afg-overdue`` for one State."""
    if states is None:
        scope = "scan"
    elif len(states) <= 3:
        scope = "rescan-" + "-".join(sorted(s.lower() for s in states))
    else:
        scope = "rescan-selection"
    return f"ccm-{scope}-{name}"


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
    lines = [
        f"# Obligations scan, {summary.as_of.isoformat()}",
        "",
        f"Scope: {summary.scope}. {summary.total} obligations.",
        "",
        "| status | count |",
        "|---|---:|",
        *(f"| {name} | {status.get(name, 0)} |" for name in ("overdue", "open", "met", "history")),
        "",
        (
            f"Due within {HORIZON_DAYS} days: **{len(summary.due_soon)}**. "
            f"Overdue: **{len(summary.overdue)}**."
        ),
        "",
        "| change | count |",
        "|---|---:|",
        *(f"| {name} | {changes.get(name, 0)} |" for name in CHANGES),
        "",
        f"{events}.",
    ]
    return "\n".join(lines) + "\n"


def summary_lines(summary: ScanSummary) -> list[str]:
    """The same summary in a few plain lines, for the terminal and the flow's log."""
    status = summary.by_status
    changes = summary.changes
    return [
        f"scan of {summary.scope} as of {summary.as_of.isoformat()}: {summary.total} obligations",
        "status: " + ", ".join(f"{status.get(n, 0)} {n}" for n in ("overdue", "open", "met", "history")),
        f"due within {HORIZON_DAYS} days: {len(summary.due_soon)}; overdue: {len(summary.overdue)}",
        "changes: " + ", ".join(f"{changes.get(n, 0)} {n}" for n in CHANGES),
        (
            f"events: {summary.events_sent} emitted"
            if summary.events_delivered
            else f"events: not emitted ({summary.events_note})"
        ),
    ]


def _by_due(obligation: Obligation) -> tuple[dt.date, str]:
    return (obligation.due, obligation.key)


def _change_order(change: ObligationChange) -> tuple[dt.date, str, str]:
    return (change.due, change.key, change.change)


def _obligation_row(obligation: Obligation, as_of: dt.date) -> dict[str, Any]:
    return {
        "state": obligation.state or "",
        "kind": obligation.kind,
        "period": obligation.period or "",
        "due": obligation.due.isoformat(),
        "days": (obligation.due - as_of).days,
        "key": obligation.key,
        "note": obligation.note,
    }


def _change_row(change: ObligationChange) -> dict[str, Any]:
    return {
        "change": change.change,
        "state": change.state or "",
        "kind": change.kind,
        "due": change.due.isoformat(),
        "previous_due": change.previous_due.isoformat() if change.previous_due else "",
        "version": change.version,
        "key": change.key,
    }
