"""`money invoice add|pay`, `money shortfall`, `money letter`: invoices in exact CHF."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.common import (
    AsOf,
    Format,
    OutputFormat,
    either,
    emit_rows,
    hidden_alias,
    parse_date,
    say,
    today_in_geneva,
)
from rules.money import INVOICE_KINDS

app = typer.Typer(help="Invoices, payments, the shortfall and the joint letter.", no_args_is_help=True)
invoice_app = typer.Typer(help="Issue an invoice or record its payment.", no_args_is_help=True)
app.add_typer(invoice_app, name="invoice")

Source = Annotated[str, typer.Option(help="Where this comes from.")]


@invoice_app.command("add")
def invoice_add(
    number: Annotated[str, typer.Argument(metavar="NUMBER", help="The invoice number, e.g. ISU-2017-AFG.")],
    state: Annotated[str, typer.Option(metavar="ISO3", help="The State invoiced (ISO3).")],
    amount: Annotated[str, typer.Option(metavar="CHF", help="Amount in CHF, e.g. 1932.34 or 1,932.34.")],
    kind: Annotated[str, typer.Option(metavar="KIND", help=f"One of: {', '.join(INVOICE_KINDS)}.")] = "isu_contribution",
    on: Annotated[str | None, typer.Option("--on", metavar="YYYY-MM-DD", help="Day issued (default: today in Geneva).")] = None,
    issued: Annotated[str | None, hidden_alias("--issued")] = None,
    meeting: Annotated[str | None, typer.Option(metavar="SLUG", help="The meeting's slug (meeting_costs).")] = None,
    illustrative: Annotated[bool, typer.Option("--illustrative", help="An example, not a real invoice.")] = False,
    source: Source = "",
) -> None:
    """Record an invoice sent to a State; follow-ups fall due every 2 months until it is paid."""
    from cli.choices import check_choice, check_states
    from models.db import session_scope
    from models.money import issue_invoice
    from rules.money import format_chf
    from settings import get_settings

    day = parse_date(either(on, issued, "--on", "--issued"), "--on") or today_in_geneva()
    check_choice("--kind", kind, list(INVOICE_KINDS))
    with session_scope() as session:
        check_states("--state", [state], session=session)
        invoice, _ = issue_invoice(
            session=session, number=number, iso3=state, kind=kind, amount=amount,
            issued_on=day, meeting=meeting, illustrative=illustrative, source=source,
            actor=get_settings().actor,
        )
    typer.echo(f"issued: {invoice.number} to {invoice.iso3} {format_chf(invoice.amount_centimes)} on {day}")
    _announce(f"ccm.state.{invoice.iso3}", "ccm.invoice.issued", {"number": invoice.number})


@invoice_app.command("pay")
def invoice_pay(
    number: Annotated[str, typer.Argument(metavar="NUMBER", help="The invoice number.")],
    on: Annotated[str | None, typer.Option("--on", metavar="YYYY-MM-DD", help="Day paid (default: today in Geneva).")] = None,
    date: Annotated[str | None, hidden_alias("--date")] = None,
    source: Source = "",
) -> None:
    """Record that an invoice was paid: its follow-ups stop."""
    from models.db import session_scope
    from models.money import pay_invoice
    from settings import get_settings

    day = parse_date(either(on, date, "--on", "--date"), "--on") or today_in_geneva()
    with session_scope() as session:
        invoice, change = pay_invoice(session=session, number=number, paid_on=day,
                                      source=source, actor=get_settings().actor)
    if change == "unchanged":
        typer.echo(f"unchanged: {invoice.number} already paid on {day}")
        return
    typer.echo(f"paid: {invoice.number} ({invoice.iso3}) on {day}")
    _announce(f"ccm.state.{invoice.iso3}", "ccm.invoice.paid", {"number": invoice.number})


@app.command("shortfall")
def shortfall_command(
    as_of: AsOf = None,
    fmt: Format = OutputFormat.table,
) -> None:
    """What is owed on a day: the total of open invoices and who owes it (exact CHF).

    Also shows the last shortfall figure reported (e.g. by the ISU) on or before that day.
    """
    from models.coordination import state_name
    from models.db import session_scope
    from models.money import invoice_facts, latest_reported_shortfall
    from rules.money import chf, format_chf, shortfall

    day = parse_date(as_of, "--as-of") or today_in_geneva()
    with session_scope() as session:
        facts = invoice_facts(session=session)
        owed = shortfall(facts, day)
        names = {iso3: state_name(session=session, iso3=iso3) for iso3, _, _ in owed.by_state}
        reported = latest_reported_shortfall(session=session, as_of=day)
    illustrative = {f.number for f in facts if f.illustrative}
    rows = [
        {"state": iso3, "name": names[iso3], "amount_chf": str(chf(centimes)),
         "invoices": " ".join(numbers),
         "illustrative": all(n in illustrative for n in numbers)}
        for iso3, centimes, numbers in owed.by_state
    ]
    if fmt is OutputFormat.json:
        import json

        typer.echo(json.dumps({
            "as_of": day.isoformat(), "currency": "CHF", "total": str(owed.total),
            "by_state": rows,
            "reported": None if reported is None else {
                "reported_on": reported.reported_on.isoformat(), "by": reported.reported_by,
                "amount": str(reported.amount), "previously": reported.previously,
                "letters_sent": reported.letters_sent, "source": reported.source,
            },
        }, indent=2))
        return
    emit_rows(rows, fmt, ["state", "name", "amount_chf", "invoices", "illustrative"],
              title=f"Outstanding on {day}: {format_chf(owed.total_centimes)} from open invoices")
    if fmt is OutputFormat.table and reported is not None:
        say(
            f"Reported shortfall: {format_chf(reported.amount_centimes)} by {reported.reported_by} "
            f"on {reported.reported_on} (previously {reported.previously or 'n/a'}; "
            f"{reported.letters_sent or 0} reminder letters) - {reported.source}"
        )


@app.command("letter")
def letter(
    iso3: Annotated[str, typer.Argument(metavar="ISO3", help="The State (ISO3).")],
    as_of: AsOf = None,
    output: Annotated[Path | None, typer.Option(metavar="FILE", help="Write the Markdown here instead of printing it.")] = None,
) -> None:
    """One joint letter to a State listing every invoice it has not paid (Markdown)."""
    from sqlmodel import select

    from cli.choices import check_country
    from models.committee import Meeting
    from models.coordination import state_name
    from models.db import session_scope
    from models.money import invoice_facts
    from notifications.letters import joint_invoice_letter

    day = parse_date(as_of, "--as-of") or today_in_geneva()
    with session_scope() as session:
        iso3 = check_country("ISO3", iso3, session=session)
        name = state_name(session=session, iso3=iso3)
        open_ones = [f for f in invoice_facts(session=session, iso3=iso3) if f.open_on(day)]
        titles = {m.slug: m.title for m in session.exec(select(Meeting)).all()}
    text = joint_invoice_letter(iso3=iso3.upper(), name=name, as_of=day, invoices=open_ones,
                                meeting_titles=titles)
    if output:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"written: {output}")
    else:
        typer.echo(text)


def _announce(resource: str, what: str, payload: dict[str, object]) -> None:
    from cli.announcing import announce

    announce(resource, what, payload)
