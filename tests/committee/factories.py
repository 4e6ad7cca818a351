"""Hand-written factories for the Committee's facts (meetings, invoices, items)."""

from __future__ import annotations

import datetime as dt

from rules.action_items import ActionItemFacts, OutputFacts
from rules.meetings import MeetingFacts
from rules.money import InvoiceFacts


def meeting_facts(
    slug: str = "7msp",
    kind: str = "msp",
    start: dt.date | None = dt.date(2017, 9, 4),
    end: dt.date | None = dt.date(2017, 9, 6),
    precision: str = "day",
    month: str | None = None,
    cancelled: bool = False,
    funds_received_on: dt.date | None = None,
) -> MeetingFacts:
    return MeetingFacts(slug=slug, title=f"meeting {slug}", kind=kind, precision=precision,
                        start_date=start, end_date=end, month=month, cancelled=cancelled,
                        funds_received_on=funds_received_on)


def invoice(
    number: str = "ISU-2017-AFG",
    iso3: str = "AFG",
    amount_centimes: int = 100_000,
    issued_on: dt.date = dt.date(2017, 1, 9),
    paid_on: dt.date | None = None,
    kind: str = "isu_contribution",
) -> InvoiceFacts:
    return InvoiceFacts(number=number, iso3=iso3, kind=kind, amount_centimes=amount_centimes,
                        issued_on=issued_on, paid_on=paid_on)


def item(
    slug: str = "va-model-letter",
    due: dt.date | None = dt.date(2017, 1, 25),
    targets: tuple[str, ...] = (),
    status: str = "open",
    closed_on: dt.date | None = None,
    theme: str = "victim_assistance",
) -> ActionItemFacts:
    return ActionItemFacts(slug=slug, title=f"item {slug}", owner_theme=theme, due=due,
                           status=status, closed_on=closed_on, targets=targets)


def output(responses: tuple[dt.date, ...] = (), target: int = 5) -> OutputFacts:
    return OutputFacts(slug="va-output-2", theme="victim_assistance", text="at least five",
                       target_count=target, deadline=dt.date(2017, 6, 30), responses=responses)
