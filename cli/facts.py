"""`facts ISO3`: everything on record for one State, with sources, disagreements shown."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from cli.common import console, say

if TYPE_CHECKING:
    from collections.abc import Sequence

    from rich.table import Table

    from models.tables import ArticleFact, AuditEntry


def register(app: typer.Typer) -> None:
    app.command("facts")(facts)


def facts(
    iso3: Annotated[str, typer.Argument(metavar="ISO3", help="The State's ISO 3166-1 alpha-3 code, e.g. AFG.")],
    history: Annotated[bool, typer.Option(help="Also show the audit log for this State.")] = False,
) -> None:
    """Show every fact on record for a State, each with its source.

    Where sources disagree (two extension dates for one step, a note saying DISAGREEMENT),
    both rows are shown and flagged: the registry never hides a disagreement. Stored text
    (names, sources, notes) is printed exactly as recorded.
    """
    from rich.table import Table
    from rich.text import Text
    from sqlmodel import select

    from cli.choices import check_states
    from models.db import session_scope
    from models.tables import ArticleFact, AuditEntry, ReportReceived, State
    from rules.articles import deadline_chain, original_deadline
    from rules.entry_into_force import entry_into_force

    with session_scope() as session:
        code = check_states("ISO3", [iso3], session=session)[0]
        state = session.get(State, code)
        assert state is not None
        articles = session.exec(
            select(ArticleFact).where(ArticleFact.iso3 == code).order_by(ArticleFact.article, ArticleFact.id)
        ).all()
        reports = session.exec(
            select(ReportReceived).where(ReportReceived.iso3 == code).order_by(ReportReceived.kind, ReportReceived.period)
        ).all()
        audits = session.exec(
            select(AuditEntry).where(AuditEntry.subject == code).order_by(AuditEntry.at)
        ).all() if history else []
        corrections = session.exec(
            select(AuditEntry)
            .where(AuditEntry.subject == code, AuditEntry.action.like("%.corrected"))  # type: ignore[attr-defined]
            .order_by(AuditEntry.at)
        ).all()

    eif = entry_into_force(state.deposit_date) if state.deposit_date else None
    console.print(Text.assemble((state.name, "bold"), f" ({state.iso3})"), highlight=False)
    say(
        f"signed {state.signature_date or '-'}; {state.instrument or 'no instrument'} deposited "
        f"{state.deposit_date or '-'}; in force {eif or '-'}"
        + (f"; withdrawal effective {state.withdrawal_effective_date}" if state.withdrawal_effective_date else ""),
    )
    say(f"source: {state.source}", style="dim")
    if state.notes:
        say(f"notes: {state.notes}", style="dim")

    table = Table(title="Art. 3 / Art. 4 facts", title_justify="left", show_lines=True)
    for column in ("art.", "fact", "meeting", "source and notes"):
        table.add_column(column)
    for article in sorted({a.article for a in articles}):
        rows = [a for a in articles if a.article == article]
        if eif:
            chain = deadline_chain(original_deadline(article, eif), [r.extended_deadline for r in rows if r.extended_deadline])
            table.add_row(str(article), f"deadline in force {chain[-1]} (original {chain[0]})", "", "computed")
        for row in rows:
            fact = Text(_describe(row))
            if "DISAGREEMENT" in row.notes:
                fact.append(" (sources disagree)", style="red")
            table.add_row(str(article), fact, Text(row.extension_granted_at or ""),
                          Text(f"{row.source}\n{row.notes}".strip()))
    if articles:
        console.print(table)

    if reports:
        report_table = Table(title="Art. 7 reports received", title_justify="left")
        for column in ("report", "received", "source"):
            report_table.add_column(column)
        for report in reports:
            name = "initial" if report.kind == "initial" else f"{report.period} annual"
            report_table.add_row(name, str(report.received_on or "date unknown"), Text(report.source))
        console.print(report_table)
    if corrections:
        console.print(_corrections_table(corrections))
    for entry in audits:
        say(f"{entry.at:%Y-%m-%d %H:%M} {entry.actor}: {entry.action} {entry.detail} {entry.source}", style="dim")


def _describe(row: ArticleFact) -> str:
    if row.extended_deadline:
        return f"extended to {row.extended_deadline}"
    if row.completed_date:
        return f"completed {row.completed_date}"
    if row.completed_period:
        return f"completed in {row.completed_period}"
    if row.extension_granted_at:
        return "extension step (date not published)"
    return "the article applies (stockpiles held)" if row.article == 3 else "the article applies (contaminated areas)"


def _corrections_table(entries: Sequence[AuditEntry]) -> Table:
    """Every correction on record: what changed (old → new), why, who and when."""
    import json

    from rich.table import Table
    from rich.text import Text

    table = Table(title="Corrections", title_justify="left")
    for column in ("when", "fact", "old → new", "reason", "by"):
        table.add_column(column)
    for entry in entries:
        detail = json.loads(entry.detail or "{}")
        if "changes" in detail:  # a corrected import of participants: several fields at once
            change = "; ".join(f"{name}: {old} → {new}" for name, (old, new) in detail["changes"].items())
        else:
            change = f"{detail.get('old')} → {detail.get('new')}"
        fact = entry.action.removesuffix(".corrected")
        if detail.get("period"):
            fact += f" {detail['period']}"
        elif detail.get("article"):
            fact += f" Art. {detail['article']}"
        table.add_row(*(Text(str(v)) for v in (
            f"{entry.at:%Y-%m-%d %H:%M}", fact, change, detail.get("reason", ""), entry.actor)))
    return table
