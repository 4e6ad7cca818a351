"""Issue and pay invoices, read what is owed, and keep the shortfall figures reported.

Amounts enter as text (``"1,932.34"``) and are kept as integer centimes: never a float.
"""

from __future__ import annotations

import datetime as dt
import re

from sqlmodel import Session, select

from clock import today_in_geneva
from errors import UsageError, UserError
from models.audit import audit
from models.committee import Invoice, Meeting, ReportedShortfall
from models.rows import apply_changes
from models.tables import State
from models.validation import SOURCE_NEEDED, day_refused, fact_day_problems
from rules.money import (
    INVOICE_KINDS,
    AmountError,
    InvoiceFacts,
    format_chf,
    invoice_issuer,
    parse_chf,
)
from rules.treaties import TREATIES

NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9./-]{0,23}$")


class MoneyRejected(UserError, ValueError):
    """The invoice or payment cannot be recorded as given; nothing was written."""


class TreatyMismatch(UsageError, MoneyRejected):
    """``--treaty`` names a convention the invoice cannot be under (exit 2, a usage error)."""


class NotInForm(UsageError, MoneyRejected):
    """An amount or invoice number not in the form its option takes (``--amount abc``, an
    empty ``NUMBER``): exit 2, a usage error, naming the option."""


class SourceMissing(UsageError, MoneyRejected):
    """An invoice without ``--source`` (exit 2, as `record --source ''`): a fact is never
    recorded without where it comes from."""


def amount_centimes(text: str, option: str = "--amount") -> int:
    """An amount in CHF as centimes; one not in that form, or not above zero, is refused
    (``NotInForm``, exit 2) naming ``option``."""
    try:
        centimes = parse_chf(text)
    except AmountError as error:
        raise NotInForm(f"{option}: {error}") from None
    if centimes <= 0:
        raise NotInForm(f"{option}: amount {text!r} must be more than zero")
    return centimes


def issue_invoice(
    *,
    session: Session,
    number: str,
    iso3: str,
    kind: str,
    amount: str,
    issued_on: dt.date,
    meeting: str | None = None,
    treaty: str | None = None,
    illustrative: bool = False,
    source: str = "",
    notes: str = "",
    actor: str,
    replace: bool = False,
    today: dt.date | None = None,
) -> tuple[Invoice, str]:
    """Record an invoice sent to ``iso3``. Returns it and created/updated/unchanged.

    ``treaty`` (a code, any case: ``ccm``, ``apmbc``) is the convention billed; by default
    the meeting's convention when ``meeting`` is given, else the CCM. A ``treaty`` that is
    not the meeting's is refused (``MoneyRejected`` naming ``--treaty``). The issuer follows
    (``rules.money.invoice_issuer``). A blank ``source`` is refused (``SourceMissing``
    naming ``--source``), and so is an ``issued_on`` after ``today`` (Geneva) or before the
    convention opened for signature (``MoneyRejected`` naming ``--on``): an invoice dated
    ahead would be left out of every listing until that day. Nothing is written on a refusal.
    """
    if not source.strip():
        raise SourceMissing(f"--source: {SOURCE_NEEDED}")
    if not NUMBER.fullmatch(number):
        raise NotInForm(f"NUMBER: invoice number {number!r}: up to 24 letters, digits, '.', '/', '-' "
                        "(starting with a letter or digit)")
    if kind not in INVOICE_KINDS:
        raise MoneyRejected(f"invoice kind {kind!r} is not one of {', '.join(INVOICE_KINDS)}")
    code = treaty.strip().upper() if treaty is not None else None
    if code is not None and code not in TREATIES:
        known = " or ".join(c.lower() for c in TREATIES)
        raise TreatyMismatch(f"--treaty {treaty!r}: an invoice is under one convention, {known}")
    meeting_id = None
    if meeting is not None:
        row = session.exec(select(Meeting).where(Meeting.slug == meeting)).first()
        if row is None:
            raise MoneyRejected(f"no meeting {meeting!r} (see `ccm-tracker meetings list`)")
        if code is not None and code != row.treaty:
            raise TreatyMismatch(
                f"--treaty {code.lower()}: meeting {meeting!r} is a meeting of the {row.treaty}, "
                f"so its invoices are under the {row.treaty} (give --treaty {row.treaty.lower()} "
                f"or leave --treaty out)")
        meeting_id = row.id
        code = row.treaty
    elif kind == "meeting_costs":
        raise MoneyRejected("a meeting_costs invoice needs --meeting SLUG")
    _refuse_day(issued_on, f"invoice {number} issued", today, code or "CCM")
    billed = _billed_state(session, iso3.upper(), code or "CCM")
    values = {
        "iso3": billed, "kind": kind, "treaty": code or "CCM",
        "amount_centimes": amount_centimes(amount),
        "issued_on": issued_on, "meeting_id": meeting_id, "illustrative": illustrative,
        "source": source, "notes": notes,
    }
    existing = session.exec(select(Invoice).where(Invoice.number == number)).first()
    if existing is not None and not replace:
        raise MoneyRejected(f"invoice {number} exists (issued {existing.issued_on})")
    if existing is not None:
        changed = apply_changes(existing, values)
        if not changed:
            return existing, "unchanged"
        session.add(existing)
        _audit(session, actor, "invoice.updated", existing, source, changed=sorted(changed))
        _refresh(session)
        return existing, "updated"
    invoice = Invoice(number=number, **values)
    session.add(invoice)
    session.flush()
    _audit(session, actor, "invoice.issued", invoice, source)
    _refresh(session)
    return invoice, "created"


def pay_invoice(
    *, session: Session, number: str, paid_on: dt.date, source: str = "", actor: str,
    today: dt.date | None = None,
) -> tuple[Invoice, str]:
    """Record that an invoice was paid in full on ``paid_on`` (its follow-ups stop).

    A blank ``source`` is refused (``SourceMissing`` naming ``--source``): a payment is a
    fact, kept with where it is known from (a bank statement, the UN's receipt). So is a
    ``paid_on`` after ``today`` (Geneva) or before the invoice was issued. Nothing is
    written on a refusal.
    """
    if not source.strip():
        raise SourceMissing(f"--source: {SOURCE_NEEDED}")
    invoice = session.exec(select(Invoice).where(Invoice.number == number)).first()
    if invoice is None:
        raise MoneyRejected(f"no invoice {number!r} (see `ccm-tracker money shortfall`)")
    _refuse_day(paid_on, f"invoice {number} paid", today, invoice.treaty)
    if paid_on < invoice.issued_on:
        raise MoneyRejected(f"invoice {number} was issued {invoice.issued_on}: paid {paid_on} is earlier")
    if invoice.paid_on == paid_on:
        return invoice, "unchanged"
    previous = invoice.paid_on
    invoice.paid_on = paid_on
    session.add(invoice)
    _audit(session, actor, "invoice.paid", invoice, source, previously_paid_on=previous)
    _refresh(session)
    return invoice, "paid"


def _refuse_day(day: dt.date, what: str, today: dt.date | None, treaty: str) -> None:
    """``MoneyRejected`` naming ``--on`` when ``day`` cannot be the day the fact took effect
    (``models.validation.fact_day_problems``: after today, or before the convention)."""
    refused = day_refused(fact_day_problems(day, field="--on", what=what, today=today or today_in_geneva(),
                                            treaty=TREATIES[treaty]))
    if refused:
        raise MoneyRejected(refused)


def invoice_facts(
    *, session: Session, iso3: str | None = None, treaties: tuple[str, ...] | None = None
) -> list[InvoiceFacts]:
    """Invoices as the rules see them (oldest first), of one State with ``iso3``, under
    ``treaties`` (codes) when given; each carries its ``treaty`` (and so its issuer)."""
    slugs = {m.id: m.slug for m in session.exec(select(Meeting)).all()}
    query = select(Invoice).order_by(Invoice.issued_on, Invoice.number)
    if iso3:
        query = query.where(Invoice.iso3 == iso3.upper())
    if treaties is not None:
        query = query.where(Invoice.treaty.in_(treaties))  # type: ignore[attr-defined]
    return [
        InvoiceFacts(
            number=i.number, iso3=i.iso3, kind=i.kind, amount_centimes=i.amount_centimes,
            issued_on=i.issued_on, paid_on=i.paid_on,
            meeting=slugs.get(i.meeting_id) if i.meeting_id else None,
            illustrative=i.illustrative, treaty=i.treaty,
        )
        for i in session.exec(query).all()
    ]


def record_reported_shortfall(
    *,
    session: Session,
    reported_on: dt.date,
    reported_by: str,
    amount: str,
    previously: str = "",
    letters_sent: int | None = None,
    source: str = "",
    actor: str,
) -> tuple[ReportedShortfall, str]:
    """Keep a shortfall figure as reported (e.g. by the ISU to the Committee)."""
    centimes = amount_centimes(amount)
    existing = session.exec(
        select(ReportedShortfall).where(
            ReportedShortfall.reported_on == reported_on,
            ReportedShortfall.reported_by == reported_by,
        )
    ).first()
    values = {"amount_centimes": centimes, "previously": previously,
              "letters_sent": letters_sent, "source": source}
    if existing is not None:
        if not apply_changes(existing, values):
            return existing, "unchanged"
        row, change = existing, "updated"
    else:
        row, change = ReportedShortfall(reported_on=reported_on, reported_by=reported_by, **values), "created"
    session.add(row)
    audit(session=session, actor=actor, action=f"shortfall.{'reported' if change == 'created' else 'updated'}",
          subject="CC", detail={"reported_on": reported_on, "by": reported_by,
                                "amount": format_chf(centimes)}, source=source)
    return row, change


def latest_reported_shortfall(*, session: Session, as_of: dt.date) -> ReportedShortfall | None:
    return session.exec(
        select(ReportedShortfall)
        .where(ReportedShortfall.reported_on <= as_of)
        .order_by(ReportedShortfall.reported_on.desc())  # type: ignore[attr-defined]
    ).first()


def _audit(session: Session, actor: str, action: str, invoice: Invoice, source: str, **extra: object) -> None:
    detail = {
        "number": invoice.number, "kind": invoice.kind, "treaty": invoice.treaty,
        "issuer": invoice_issuer(invoice.kind, invoice.treaty),
        "amount": format_chf(invoice.amount_centimes),
        "issued_on": invoice.issued_on, "paid_on": invoice.paid_on,
        "illustrative": invoice.illustrative, **extra,
    }
    audit(session=session, actor=actor, action=action, subject=invoice.iso3, detail=detail, source=source)


def _refresh(session: Session) -> None:
    """Invoice follow-ups and meeting funds are the Committee's obligations: recompute them."""
    from models.refresh import refresh_obligations

    refresh_obligations(session=session, committee=True)


def _billed_state(session: Session, iso3: str, treaty: str) -> str:
    """``iso3`` if it is in the registry of the convention billed (the CCM's ``state``, the
    APMBC's ``treaty_party``); ``MoneyRejected`` naming the registry otherwise."""
    from models.treaty_tables import TreatyParty

    found = (session.get(State, iso3) if treaty == "CCM"
             else session.get(TreatyParty, (treaty, iso3)))
    if found is None:
        raise MoneyRejected(
            f"{iso3} is not in the {treaty} registry (see `ccm-tracker --treaty {treaty.lower()} "
            "states`): an invoice goes to a participant of the convention billed")
    return iso3
