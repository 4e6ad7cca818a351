"""`facts ISO3`: everything on record for one State, with sources, disagreements shown."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from cli.common import OneTreatyChoice, console, one_treaty, say

if TYPE_CHECKING:
    from collections.abc import Sequence

    from rich.table import Table

    from models.tables import ArticleFact, AuditEntry


def register(app: typer.Typer) -> None:
    app.command("facts")(facts)


def facts(
    iso3: Annotated[str, typer.Argument(metavar="ISO3", help="The State's ISO 3166-1 alpha-3 code, e.g. AFG.")],
    history: Annotated[bool, typer.Option(help="Also show the audit log for this State.")] = False,
    treaty: OneTreatyChoice = None,
) -> None:
    """Show every fact on record for a State, each with its source.

    `--treaty apmbc` shows its facts under the APMBC (participation, Art. 4/5 rows): that
    list is not exhaustive, and the command says so.

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
    from rules.articles import deadlines_held
    from rules.entry_into_force import entry_into_force
    from rules.facts import ArticleFacts
    from rules.treaties import CCM

    under = one_treaty(treaty, "`facts` shows one convention at a time")
    chosen = (under,)
    with session_scope() as session:
        code = check_states("ISO3", [iso3], session=session, treaties=chosen)[0]
        if under is CCM:
            state = session.get(State, code)
            art_t, rep_t = ArticleFact, ReportReceived
            articles = session.exec(
                select(ArticleFact).where(ArticleFact.iso3 == code).order_by(ArticleFact.article, ArticleFact.id)
            ).all()
        else:  # another convention's tables, built only when asked for
            from models.treaty_tables import TreatyArticleFact, TreatyParty, TreatyReportReceived

            state = session.get(TreatyParty, (under.code, code))
            art_t, rep_t = TreatyArticleFact, TreatyReportReceived  # type: ignore[assignment]
            articles = session.exec(
                select(art_t).where(art_t.iso3 == code, art_t.treaty == under.code)  # type: ignore[attr-defined]
                .order_by(art_t.article, art_t.id)  # type: ignore[attr-defined]
            ).all()
        assert state is not None
        reports = session.exec(
            select(rep_t).where(rep_t.iso3 == code, *([] if under is CCM else [rep_t.treaty == under.code]))  # type: ignore[attr-defined]
            .order_by(rep_t.kind, rep_t.period)
        ).all()
        audits = session.exec(
            select(AuditEntry).where(AuditEntry.subject == code).order_by(AuditEntry.at)
        ).all() if history else []
        corrections = session.exec(
            select(AuditEntry)
            .where(AuditEntry.subject == code, AuditEntry.action.like("%.corrected"))  # type: ignore[attr-defined]
            .order_by(AuditEntry.at)
        ).all()

    eif = entry_into_force(state.deposit_date, under) if state.deposit_date else None
    console.print(Text.assemble((state.name, "bold"), f" ({state.iso3})"), highlight=False)
    say(
        f"signed {state.signature_date or '-'}; {state.instrument or 'no instrument'} deposited "
        f"{state.deposit_date or '-'}; in force {eif or '-'}"
        + (f"; withdrawal effective {state.withdrawal_effective_date}" if state.withdrawal_effective_date else ""),
    )
    say(f"source: {state.source}", style="dim")
    if state.notes:
        say(f"notes: {state.notes}", style="dim")

    numbers = " / ".join(f"Art. {a}" for a in under.articles)
    prefix = "" if under is CCM else f"{under.code} "
    table = Table(title=f"{prefix}{numbers} facts", title_justify="left", show_lines=True)
    for column in ("art.", "fact", "meeting", "source and notes"):
        table.add_column(column)
    for article in sorted({a.article for a in articles}):
        rows = [a for a in articles if a.article == article]
        if eif:
            ended = max((d for r in rows if (d := getattr(r, "hostilities_ended", None))), default=None)
            chain = deadlines_held(  # the one rule, as the scan: with the end of hostilities
                ArticleFacts(article, tuple(r.extended_deadline for r in rows if r.extended_deadline),
                             hostilities_ended=ended),
                eif, under)
            table.add_row(str(article), f"deadline in force {chain[-1]} (original {chain[0]})", "", "computed")
        for row in rows:
            fact = Text(_describe(row, under))
            if "DISAGREEMENT" in row.notes:
                fact.append(" (sources disagree)", style="red")
            table.add_row(str(article), fact, Text(row.extension_granted_at or ""),
                          Text(f"{row.source}\n{row.notes}".strip()))
    if articles:
        console.print(table)
    if under is not CCM:
        # the bundled APMBC Art. 4/5 file covers 15 States, several without their newest steps
        say(f"{'These are the' if articles else 'No'} {numbers} facts on record for {code}: the list "
            "is not exhaustive (the bundled file covers 15 of about 60 States that ever had "
            "Art. 4 or 5 obligations); a State with no row has no known obligation, not a "
            "proven absence. Add facts with `ccm-tracker import --treaty apmbc FILE.csv`.",
            style="yellow")

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


def _describe(row: ArticleFact, treaty: object = None) -> str:
    if row.extended_deadline:
        return f"extended to {row.extended_deadline}"
    if row.completed_date:
        return f"completed {row.completed_date}"
    if row.completed_period:
        return f"completed in {row.completed_period}"
    if row.extension_granted_at:
        return "extension step (date not published)"
    from rules.treaties import CCM

    rule = (treaty or CCM).article(row.article)  # type: ignore[attr-defined]
    held = rule.subject == "stockpile destruction"
    return "the article applies (stockpiles held)" if held else "the article applies (contaminated areas)"


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
