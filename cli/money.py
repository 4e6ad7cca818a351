"""`money invoice add|pay|list`, `money shortfall`, `money letter`: invoices in exact CHF,
each under its convention (CCM, APMBC) with its issuer (that convention's ISU, or UN
conference services for a meeting's costs)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.common import (
    AsOf,
    EveryTreatyChoice,
    Format,
    OutputFormat,
    a_path,
    chosen_treaties,
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
InvoiceTreaty = Annotated[
    str | None,
    typer.Option("--treaty", metavar="ccm|apmbc",
                 help="The convention billed (default: the meeting's for meeting costs, else ccm)."),
]


@invoice_app.command("add")
def invoice_add(
    number: Annotated[str, typer.Argument(metavar="NUMBER", help="The invoice number, e.g. ISU-2017-AFG.")],
    state: Annotated[str, typer.Option(metavar="ISO3", help="The State invoiced (ISO3).")],
    amount: Annotated[str, typer.Option(metavar="CHF", help="Amount in CHF, e.g. 1932.34 or 1,932.34.")],
    kind: Annotated[str, typer.Option(metavar="KIND", help=f"One of: {', '.join(INVOICE_KINDS)}.")] = "isu_contribution",
    on: Annotated[str | None, typer.Option("--on", metavar="YYYY-MM-DD", help="Day issued (default: today in Geneva).")] = None,
    issued: Annotated[str | None, hidden_alias("--issued")] = None,
    meeting: Annotated[str | None, typer.Option(metavar="SLUG", help="The meeting's slug (meeting_costs).")] = None,
    treaty: InvoiceTreaty = None,
    illustrative: Annotated[bool, typer.Option("--illustrative", help="An example, not a real invoice.")] = False,
    source: Source = "",
) -> None:
    """Record an invoice sent to a State; follow-ups fall due every 2 months until it is paid.

    The invoice is under one convention (--treaty ccm|apmbc; a meeting's costs default to
    the meeting's convention, and another --treaty is refused); its issuer follows: that
    convention's ISU for an ISU contribution, UN conference services (UNOG) for meeting costs.
    """
    from cli.choices import check_choice, check_states
    from cli.common import root_treaty
    from models.db import session_scope
    from models.money import issue_invoice
    from models.refresh import written_revision
    from rules.money import format_chf, invoice_issuer
    from rules.treaties import TREATIES
    from settings import get_settings

    day = parse_date(either(on, issued, "--on", "--issued"), "--on") or today_in_geneva()
    check_choice("--kind", kind, list(INVOICE_KINDS))
    chosen = treaty or root_treaty()
    if chosen is not None:
        check_choice("--treaty", chosen.lower(), [c.lower() for c in TREATIES])
    with session_scope() as session:
        check_states("--state", [state], session=session, treaties=tuple(TREATIES.values()))
        invoice, _ = issue_invoice(
            session=session, number=number, iso3=state, kind=kind, amount=amount,
            issued_on=day, meeting=meeting, treaty=chosen, illustrative=illustrative,
            source=source, actor=get_settings().actor,
        )
        revision = written_revision(session)
    typer.echo(f"issued: {invoice.number} to {invoice.iso3} {format_chf(invoice.amount_centimes)} on {day}"
               f" ({invoice.treaty}; issued by {invoice_issuer(invoice.kind, invoice.treaty)})")
    _announce(f"ccm.state.{invoice.iso3}", "ccm.invoice.issued", {"number": invoice.number}, revision)


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
    from models.refresh import written_revision
    from settings import get_settings

    day = parse_date(either(on, date, "--on", "--date"), "--on") or today_in_geneva()
    with session_scope() as session:
        invoice, change = pay_invoice(session=session, number=number, paid_on=day,
                                      source=source, actor=get_settings().actor)
        revision = written_revision(session)
    if change == "unchanged":
        typer.echo(f"unchanged: {invoice.number} already paid on {day}")
        return
    typer.echo(f"paid: {invoice.number} ({invoice.iso3}) on {day}")
    _announce(f"ccm.state.{invoice.iso3}", "ccm.invoice.paid", {"number": invoice.number}, revision)


INVOICE_COLUMNS = ["number", "state", "treaty", "issuer", "kind", "meeting", "amount_chf",
                   "issued_on", "paid_on", "status", "illustrative"]


def invoice_row(invoice, as_of) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """One invoice as every channel shows it: its convention (``treaty``) and ``issuer``,
    exact amount (decimal string, CHF), and whether it is open or paid on ``as_of``."""
    from rules.money import chf

    paid = invoice.paid_on is not None and invoice.paid_on <= as_of
    return {
        "number": invoice.number, "state": invoice.iso3, "treaty": invoice.treaty,
        "issuer": invoice.issuer, "kind": invoice.kind, "meeting": invoice.meeting or "",
        "amount_chf": str(chf(invoice.amount_centimes)), "issued_on": invoice.issued_on.isoformat(),
        "paid_on": invoice.paid_on.isoformat() if paid and invoice.paid_on else None,
        "status": "paid" if paid else "open",
        "illustrative": invoice.illustrative,
    }


@invoice_app.command("list")
def invoice_list(
    state: Annotated[str | None, typer.Option(metavar="ISO3", help="Only this State's invoices.")] = None,
    treaty: EveryTreatyChoice = None,
    as_of: AsOf = None,
    fmt: Format = OutputFormat.table,
) -> None:
    """Every invoice issued by a day, with its convention, issuer and status (open or paid).

    All conventions unless --treaty ccm|apmbc (or the root --treaty) keeps one.
    """
    from cli.choices import check_states
    from models.db import session_scope
    from models.money import invoice_facts

    day = parse_date(as_of, "--as-of") or today_in_geneva()
    chosen = chosen_treaties(treaty, default="all")
    codes = tuple(t.code for t in chosen)
    with session_scope() as session:
        wanted = check_states("--state", [state] if state else [], session=session, treaties=chosen)
        facts = invoice_facts(session=session, iso3=wanted[0] if wanted else None, treaties=codes)
    rows = [invoice_row(f, day) for f in facts if f.issued_on <= day]
    emit_rows(rows, fmt, INVOICE_COLUMNS, title=f"{len(rows)} invoices as of {day}")


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
    treaty_of = {f.number: f.treaty for f in facts}
    rows = [
        {"state": iso3, "name": names[iso3], "amount_chf": str(chf(centimes)),
         "invoices": " ".join(numbers),
         "treaties": " ".join(sorted({treaty_of[n] for n in numbers}, key=_treaty_order)),
         "illustrative": all(n in illustrative for n in numbers)}
        for iso3, centimes, numbers in owed.by_state
    ]
    if fmt is OutputFormat.json:
        import json

        typer.echo(json.dumps({
            "as_of": day.isoformat(), "currency": "CHF", "total": str(owed.total),
            "by_state": rows,
            "invoices": [invoice_row(f, day) for f in facts if f.open_on(day)],
            "reported": None if reported is None else {
                "reported_on": reported.reported_on.isoformat(), "by": reported.reported_by,
                "amount": str(reported.amount), "previously": reported.previously,
                "letters_sent": reported.letters_sent, "source": reported.source,
            },
        }, indent=2))
        return
    emit_rows(rows, fmt, ["state", "name", "amount_chf", "invoices", "treaties", "illustrative"],
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
    output: Annotated[Path | None, typer.Option(parser=a_path, metavar="FILE", help="Write the Markdown here instead of printing it.")] = None,
    treaty: EveryTreatyChoice = None,
    fmt: Annotated[str, typer.Option("--format", metavar="markdown|json", help="The letter (markdown) or its content as JSON.")] = "markdown",
) -> None:
    """One joint letter to a State listing every invoice it has not paid, across conventions.

    A section per convention (the CCM first), each invoice with its issuer (the convention's
    ISU, or UN conference services for meeting costs), totals per currency, signed by UNOG
    and the President of each convention covered. A State with open invoices under one
    convention gets a letter naming that one only; with none, the conventions it takes part
    in. --treaty ccm|apmbc keeps one convention. --format json gives the same content.
    """
    from sqlmodel import select

    from cli.choices import check_choice, check_country
    from models.committee import Meeting
    from models.coordination import state_name
    from models.db import session_scope
    from models.money import invoice_facts
    from notifications.letters import joint_invoices, render_joint_invoice_letter

    check_choice("--format", fmt, ["markdown", "json"])
    day = parse_date(as_of, "--as-of") or today_in_geneva()
    codes = tuple(t.code for t in chosen_treaties(treaty, default="all"))
    with session_scope() as session:
        iso3 = check_country("ISO3", iso3, session=session)
        name = state_name(session=session, iso3=iso3)
        open_ones = [f for f in invoice_facts(session=session, iso3=iso3, treaties=codes) if f.open_on(day)]
        titles = {m.slug: m.title for m in session.exec(select(Meeting)).all()}
        party_to = [] if open_ones else [c for c in _taking_part(session, iso3.upper(), day) if c in codes]
    content = joint_invoices(iso3=iso3.upper(), name=name, as_of=day, invoices=open_ones,
                             meeting_titles=titles,
                             conventions=() if open_ones else (party_to or codes[:1]))
    if fmt == "json":
        import json

        text = json.dumps(content.as_json(), indent=2, ensure_ascii=False)
    else:
        text = render_joint_invoice_letter(content)
    if output:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"written: {output}")
    else:
        typer.echo(text)


def _taking_part(session, iso3: str, day) -> list[str]:  # type: ignore[no-untyped-def]
    """The codes of the conventions ``iso3`` has deposited an instrument for by ``day``."""
    from sqlmodel import select

    from models.tables import State
    from models.treaty_tables import TreatyParty

    def party(deposit, withdrawal) -> bool:  # type: ignore[no-untyped-def]
        return deposit is not None and deposit <= day and (withdrawal is None or withdrawal > day)

    found = []
    state = session.get(State, iso3)
    if state is not None and party(state.deposit_date, state.withdrawal_effective_date):
        found.append("CCM")
    query = select(TreatyParty).where(TreatyParty.iso3 == iso3)
    found += [row.treaty for row in session.exec(query).all()
              if party(row.deposit_date, row.withdrawal_effective_date)]
    return sorted(set(found), key=_treaty_order)


def _treaty_order(code: str) -> tuple[int, str]:
    from rules.treaties import TREATIES

    order = list(TREATIES)
    return (order.index(code) if code in order else len(order), code)


def _announce(resource: str, what: str, payload: dict[str, object], revision: int | None) -> None:
    from cli.announcing import announce

    announce(resource, what, payload, revision=revision)
