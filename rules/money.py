"""Money in exact Swiss francs: amounts, invoice follow-ups, what is outstanding, and who
issues each invoice.

Amounts are kept as integer centimes and shown as ``Decimal`` with two places; a float never
touches them (0.1 + 0.2 is not 0.3 in binary floating point, and a shortfall must add up).

An invoice is under one convention (``treaty``: CCM, APMBC). Its issuer follows from its kind
and convention (minutes of the Coordination Committee, 7 December 2016, section 6: one letter
"signed with UNOG" carrying the UN conference-services invoice and the ISU contribution
invoice): an ISU contribution is issued by that convention's Implementation Support Unit
(``rules.treaties.Treaty.isu_name``: "CCM ISU", "APMBC ISU"); a share of a meeting's costs by
the United Nations conference services at Geneva, for that convention's meeting.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from rules.dates import add_months
from rules.obligations import Obligation, Status, obligation_key
from rules.treaties import CCM, treaty_of

INVOICE_FOLLOWUP = "invoice_followup"
FOLLOWUP_MONTHS = 2  # minutes of 7 December 2016, section 6: "a follow up every 2 months"
CENT = Decimal("0.01")
INVOICE_KINDS = ("isu_contribution", "meeting_costs")
UN_CONFERENCE_SERVICES = "UN conference services (UNOG)"
_AMOUNT = re.compile(r"^\d{1,3}(?:[,' ]\d{3})*(?:\.\d{1,2})?$|^\d+(?:\.\d{1,2})?$")


class AmountError(ValueError):
    """Not an amount in CHF with at most two decimals."""


def parse_chf(text: str) -> int:
    """``"1,932.34"``, ``"1'932.34"`` or ``"1932.34"`` -> 193234 centimes (exactly)."""
    cleaned = text.strip().removeprefix("CHF").strip()
    if not _AMOUNT.fullmatch(cleaned):
        raise AmountError(f"{text!r} is not an amount in CHF (e.g. 1932.34 or 1,932.34)")
    try:
        value = Decimal(re.sub(r"[,' ]", "", cleaned)) * 100  # at most two decimals: exact
    except InvalidOperation as error:
        raise AmountError(f"{text!r} is not an amount in CHF") from error
    if value != value.to_integral_value():
        raise AmountError(f"{text!r} has more than two decimals")
    return int(value)


def chf(centimes: int) -> Decimal:
    """193234 -> Decimal('1932.34')."""
    return (Decimal(centimes) / 100).quantize(CENT)


def format_chf(centimes: int) -> str:
    """193234 -> 'CHF 1,932.34' (the ISU's way of writing it)."""
    return f"CHF {chf(centimes):,.2f}"


def format_money(currency: str, hundredths: int) -> str:
    """An amount in hundredths of ``currency`` (ISO 4217): ``("EUR", 150) -> 'EUR 1.50'``,
    exact (``Decimal``, never a float)."""
    return f"{currency} {chf(hundredths):,.2f}"


def invoice_issuer(kind: str, treaty: str = CCM.code) -> str:
    """Who issues an invoice of ``kind`` under ``treaty`` (a code): ``isu_contribution`` ->
    the convention's ISU ("CCM ISU", "APMBC ISU"); ``meeting_costs`` -> UN conference services
    (UNOG), whichever convention's meeting it is (the invoice's ``treaty`` says which)."""
    if kind == "meeting_costs":
        return UN_CONFERENCE_SERVICES
    if kind == "isu_contribution":
        return treaty_of(treaty).isu_name
    return kind.replace("_", " ")


@dataclass(frozen=True, slots=True)
class InvoiceFacts:
    number: str
    iso3: str
    kind: str
    amount_centimes: int
    issued_on: dt.date
    paid_on: dt.date | None = None
    meeting: str | None = None  # the meeting's slug, for a meeting cost share
    illustrative: bool = False
    treaty: str = CCM.code  # the convention billed (its ISU, or one of its meetings)
    currency: str = "CHF"  # ISO 4217; amounts are in its hundredths

    @property
    def issuer(self) -> str:
        """``invoice_issuer(kind, treaty)``: "CCM ISU", "APMBC ISU" or UN conference services."""
        return invoice_issuer(self.kind, self.treaty)

    def open_on(self, as_of: dt.date) -> bool:
        """Issued by ``as_of`` and not paid by then (a later payment is not yet known)."""
        return self.issued_on <= as_of and (self.paid_on is None or self.paid_on > as_of)


def followup_due(issued_on: dt.date, step: int) -> dt.date:
    """The ``step``-th follow-up (1, 2, ...) of an invoice issued on ``issued_on``.

    Counted from the issue date each time, not from the previous follow-up, so the end of a
    month does not drift: issued 31 December -> 28 February, 30 April, 30 June, 31 August.
    """
    if step < 1:
        raise ValueError("follow-up steps start at 1")
    return add_months(issued_on, FOLLOWUP_MONTHS * step)


def followup_obligations(invoice: InvoiceFacts, as_of: dt.date) -> Iterator[Obligation]:
    """The follow-ups of one invoice known on ``as_of``.

    Unpaid on ``as_of``: every step due up to ``as_of`` and the next one. Paid on ``as_of``:
    the steps that fell due before the payment and the one that was pending on the day of
    payment, each met by it; none after it. (The pending one is closed rather than dropped:
    a scan before the payment stored it as open, and the obligation table never deletes.)
    """
    paid = invoice.paid_on if invoice.paid_on is not None and invoice.paid_on <= as_of else None
    if invoice.issued_on > as_of:
        return
    # the key starts with the invoice's convention: a CCM invoice's keys keep their form
    # (CCM:AFG:invoice_followup:N-F1); an APMBC invoice's are APMBC:AFG:invoice_followup:N-F1
    treaty = treaty_of(invoice.treaty)
    step = 1
    while True:
        due = followup_due(invoice.issued_on, step)
        pending_at_payment = paid is not None and due >= paid
        yield Obligation(
            key=obligation_key(invoice.iso3, INVOICE_FOLLOWUP, followup_period(invoice.number, step),
                               treaty),
            state=invoice.iso3,
            kind=INVOICE_FOLLOWUP,
            due=due,
            original_due=due,
            period=followup_period(invoice.number, step),
            met=paid is not None,
            met_on=paid,
            # the payment closes every follow-up, whenever it came: "met", never "met_late"
            outcome=Status.MET if paid is not None else None,
            note=(
                f"follow-up {step} of invoice {invoice.number} ({format_money(invoice.currency, invoice.amount_centimes)}"
                f", issued {invoice.issued_on.isoformat()} by the {invoice.issuer})"
                + (" [illustrative]" if invoice.illustrative else "")
                + (f"; not needed: paid {paid.isoformat()}" if pending_at_payment and paid else "")
            ),
        )
        if pending_at_payment or (paid is None and due > as_of):
            return  # the next one is listed; later ones are not yet news (or never will be)
        step += 1


def followup_period(number: str, step: int) -> str:
    return f"{number}-F{step}"


def all_followups(invoices: Iterable[InvoiceFacts], as_of: dt.date) -> list[Obligation]:
    return [o for invoice in invoices for o in followup_obligations(invoice, as_of)]


@dataclass(frozen=True, slots=True)
class Shortfall:
    """What is owed on ``as_of``: the total and each State's part, in centimes."""

    as_of: dt.date
    total_centimes: int
    by_state: tuple[tuple[str, int, tuple[str, ...]], ...]  # (iso3, centimes, invoice numbers)

    @property
    def total(self) -> Decimal:
        return chf(self.total_centimes)


def shortfall(invoices: Iterable[InvoiceFacts], as_of: dt.date) -> Shortfall:
    """Sum of invoices open on ``as_of``, per State (largest debt first, then ISO3), in CHF
    (every convention's). An invoice in another currency raises ``ValueError``: currencies
    are never added together."""
    owed: dict[str, int] = defaultdict(int)
    numbers: dict[str, list[str]] = defaultdict(list)
    for invoice in invoices:
        if invoice.currency != "CHF":
            raise ValueError(f"invoice {invoice.number} is in {invoice.currency}: the shortfall is in CHF")
        if invoice.open_on(as_of):
            owed[invoice.iso3] += invoice.amount_centimes
            numbers[invoice.iso3].append(invoice.number)
    rows = sorted(owed.items(), key=lambda item: (-item[1], item[0]))
    return Shortfall(
        as_of=as_of,
        total_centimes=sum(owed.values()),
        by_state=tuple((iso3, amount, tuple(sorted(numbers[iso3]))) for iso3, amount in rows),
    )
