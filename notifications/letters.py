"""Letters in Markdown: one consolidated outreach letter per target State, and one joint
letter per State listing every open invoice (minutes of 7 December 2016, sections 5.1 and 6:
"one letter to each target State with elements from different Coordinators"; "one letter
... attaching two invoices"). Pure functions: data in, text out; ``as_of`` passed in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from rules.money import InvoiceFacts, chf, format_money
from rules.obligations import Obligation
from rules.treaties import TREATIES, treaty_of, treaty_of_key
from rules.wording import status_word, title, wording

THEME_TITLES = {
    "transparency": "Transparency Measures (Article 7)",
    "stockpile_destruction": "Stockpile Destruction and Retention (Article 3)",
    "clearance": "Clearance and Risk Reduction Education (Article 4)",
    "victim_assistance": "Victim Assistance (Article 5)",
    "universalization": "Universalization",
    "cooperation": "International Cooperation and Assistance (Article 6)",
    "national_implementation": "National Implementation Measures (Article 9)",
    "general_status": "General Status and Operation of the Convention",
}
# What a theme asks when its target list gives no wording of its own.
DEFAULT_ASKS = {
    "transparency": "submit any overdue initial or annual transparency report under Article 7",
    "stockpile_destruction": "share your plan and progress in destroying stockpiled cluster munitions",
    "clearance": "share your plan and progress in clearing contaminated areas",
    "victim_assistance": "share your needs and progress in assisting cluster munition victims",
    "universalization": "consider joining the Convention on Cluster Munitions",
    "cooperation": "tell us what assistance you need or can offer",
    "national_implementation": "share the status of your national implementation legislation",
    "general_status": "pay your contributions to the ISU and your share of meeting costs",
}


@dataclass(frozen=True)
class ThemeAsk:
    theme: str
    ask: str
    coordinators: tuple[str, ...]  # coordinator States' names
    treaty: str = "CCM"  # the convention the ask is under (rules.treaties code)


_MARKDOWN_SPECIAL = set("\\`*_[]!|~")  # links, images, emphasis, code, table cells
_HTML_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}


def md(value: object) -> str:
    """Stored text (a State's name, a title, an ask) as literal Markdown: HTML's special
    characters as entities, Markdown's backslash-escaped, line breaks as spaces, so that a
    name such as ``<img src=x onerror=alert(1)> [evil](javascript:x)`` is shown, never run."""
    text = " ".join(str(value).split())
    return "".join(_HTML_ENTITIES.get(c) or (f"\\{c}" if c in _MARKDOWN_SPECIAL else c) for c in text)


def outreach_letter(
    *,
    iso3: str,
    name: str,
    as_of: dt.date,
    asks: Sequence[ThemeAsk],
    obligations: Sequence[tuple[Obligation, str]],  # (obligation, status on as_of)
    invoices: Sequence[InvoiceFacts],
    meeting_titles: dict[str, str] | None = None,
) -> str:
    """One letter to ``iso3`` with every theme's ask, open deadline and open invoice.

    ``obligations`` may hold several conventions' (keys ``CCM:...``, ``APMBC:...``): the
    letter then names them all in its title and lists the open deadlines in one section per
    convention, the CCM's first."""
    themes = ", ".join(THEME_TITLES.get(a.theme, a.theme) for a in asks) or "none"
    by_treaty: dict[str, list[tuple[Obligation, str]]] = {}
    for pair in obligations:
        by_treaty.setdefault(treaty_of_key(pair[0].key), []).append(pair)
    # the conventions the letter speaks for: its deadlines', its asks' and its invoices'
    covered = set(by_treaty) | {a.treaty for a in asks} | {i.treaty for i in invoices}
    order = [code for code in TREATIES if code in covered] + sorted(
        code for code in covered if code not in TREATIES)
    order = order or ["CCM"]
    conventions = " and ".join(_treaty_name(c) for c in order)
    lines = [
        f"# {conventions}: letter to {md(name)} ({md(iso3)})",
        "",
        f"Date: {as_of.isoformat()}  ",
        f"Themes writing together: {themes}",
        "",
        "Excellency,",
        "",
        ("On behalf of the Coordination Committee, the Coordinators below write to you in a "
        "single letter rather than separately."),
        "",
    ]
    for ask in asks:
        by = " and ".join(md(c) for c in ask.coordinators)
        who = f"The Coordinators ({by})" if by else "The Coordinators"
        lines += [f"## {md(THEME_TITLES.get(ask.theme, ask.theme))}", "",
                  f"{who} ask you to {md(ask.ask or DEFAULT_ASKS.get(ask.theme, ''))}.", ""]
    if order != ["CCM"]:  # every convention the letter speaks for says which deadlines are its
        for code in order:
            lines += [f"## Open deadlines under the {_treaty_name(code)}", ""]
            lines += _deadline_table(by_treaty[code]) if code in by_treaty else ["None on record."]
            lines.append("")
        lines.pop()
    else:
        lines += ["## Open deadlines", ""]
        lines += _deadline_table(obligations) if obligations else ["None on record."]
    lines += ["", "## Open invoices", ""]
    lines += invoice_table(invoices, meeting_titles or {}) if invoices else ["None on record."]
    lines += ["", "Please accept the assurances of our highest consideration.", ""]
    return "\n".join(lines)


def _treaty_name(code: str) -> str:
    treaty = TREATIES.get(code)
    return treaty.name if treaty else code


def _deadline_table(obligations: Sequence[tuple[Obligation, str]]) -> list[str]:
    lines = ["| due | what | status |", "|---|---|---|"]
    for obligation, status in sorted(obligations, key=lambda pair: (pair[0].due, pair[0].key)):
        reference = wording(obligation.kind).reference
        what = title(obligation.kind, obligation.period)
        what += f" ({reference})" if reference else ""
        lines.append(f"| {obligation.due.isoformat()} | {what} | {status_word(status)} |")
    return lines


def invoice_issuer(invoice: InvoiceFacts) -> str:
    """Who issued an invoice: its convention's ISU (contributions) or UN conference services
    (meeting costs); ``rules.money.invoice_issuer``."""
    return invoice.issuer


def invoice_currency(invoice: InvoiceFacts) -> str:
    """An invoice's currency (ISO 4217); the Committee's invoices are in Swiss francs."""
    return invoice.currency or "CHF"


def totals_by_currency(invoices: Sequence[InvoiceFacts]) -> dict[str, int]:
    """Outstanding amount (in hundredths) per currency: amounts in different currencies
    are never added together."""
    totals: dict[str, int] = {}
    for invoice in invoices:
        currency = invoice_currency(invoice)
        totals[currency] = totals.get(currency, 0) + invoice.amount_centimes
    return dict(sorted(totals.items()))


def _money(currency: str, hundredths: int) -> str:
    return format_money(currency, hundredths)


@dataclass(frozen=True)
class ConventionSection:
    """One convention's part of the joint invoice letter."""

    treaty: str  # code
    name: str  # "Anti-Personnel Mine Ban Convention"
    invoices: tuple[InvoiceFacts, ...]
    totals: dict[str, int]  # currency -> hundredths


@dataclass(frozen=True)
class JointInvoices:
    """What the joint invoice letter says, channel-free: the Markdown letter and the JSON
    (``as_json``) are both made from it, so they agree.

    ``sections``: one per convention covered, the CCM first, each with its open invoices
    (oldest first) and its totals per currency; ``totals``: per currency over every section
    (currencies never added together); ``signatories``: UNOG's Director-General and the
    President of each convention covered."""

    iso3: str
    name: str
    as_of: dt.date
    sections: tuple[ConventionSection, ...]
    totals: dict[str, int]
    meeting_titles: dict[str, str]

    @property
    def conventions(self) -> tuple[str, ...]:
        return tuple(section.name for section in self.sections)

    @property
    def issuers(self) -> tuple[str, ...]:
        return tuple(sorted({i.issuer for s in self.sections for i in s.invoices}))

    @property
    def signatories(self) -> tuple[str, ...]:
        return ("The Director-General of the United Nations Office at Geneva",
                *(f"The President of the {name}" for name in self.conventions))

    def as_json(self) -> dict[str, object]:
        """The same content as the letter, as JSON-ready values (amounts as exact decimal
        strings per currency)."""
        return {
            "state": self.iso3, "name": self.name, "as_of": self.as_of.isoformat(),
            "treaties": [s.treaty for s in self.sections],
            "sections": [
                {"treaty": s.treaty, "convention": s.name,
                 "invoices": [_invoice_json(i, self.meeting_titles) for i in s.invoices],
                 "totals": {c: str(chf(t)) for c, t in s.totals.items()}}
                for s in self.sections
            ],
            "totals": {c: str(chf(t)) for c, t in self.totals.items()},
            "signatories": list(self.signatories),
        }


def _invoice_json(invoice: InvoiceFacts, meeting_titles: dict[str, str]) -> dict[str, object]:
    return {
        "number": invoice.number, "kind": invoice.kind, "treaty": invoice.treaty,
        "issuer": invoice.issuer, "meeting": invoice.meeting,
        "meeting_title": meeting_titles.get(invoice.meeting) if invoice.meeting else None,
        "issued_on": invoice.issued_on.isoformat(), "currency": invoice_currency(invoice),
        "amount": str(chf(invoice.amount_centimes)), "illustrative": invoice.illustrative,
    }


def joint_invoices(
    *, iso3: str, name: str, as_of: dt.date, invoices: Sequence[InvoiceFacts],
    meeting_titles: dict[str, str] | None = None, conventions: Sequence[str] = (),
) -> JointInvoices:
    """Group the invoices ``iso3`` has not paid on ``as_of`` (the caller passes the open
    ones) by convention, the CCM first, then the others in ``rules.treaties`` order.

    ``conventions`` (codes) are named even with no open invoice (the conventions the State
    takes part in, so "nothing outstanding" names them); with neither, the CCM."""
    by_treaty: dict[str, list[InvoiceFacts]] = {}
    for invoice in invoices:
        by_treaty.setdefault(invoice.treaty.upper(), []).append(invoice)
    codes = set(by_treaty) | {c.upper() for c in conventions} or {"CCM"}
    order = [c for c in TREATIES if c in codes] + sorted(c for c in codes if c not in TREATIES)
    sections = tuple(
        ConventionSection(
            treaty=code, name=treaty_of(code).name,
            invoices=tuple(sorted(by_treaty.get(code, []), key=lambda i: (i.issued_on, i.number))),
            totals=totals_by_currency(by_treaty.get(code, [])),
        )
        for code in order
    )
    return JointInvoices(iso3=iso3, name=name, as_of=as_of, sections=sections,
                         totals=totals_by_currency(invoices), meeting_titles=dict(meeting_titles or {}))


def joint_invoice_letter(
    *, iso3: str, name: str, as_of: dt.date, invoices: Sequence[InvoiceFacts],
    meeting_titles: dict[str, str] | None = None, conventions: Sequence[str] = (),
) -> str:
    """One letter, signed jointly (UNOG and each convention's President), listing every
    invoice ``iso3`` has not paid on ``as_of`` in a section per convention, each invoice with
    its issuer, and the total outstanding per currency (see ``joint_invoices``)."""
    return render_joint_invoice_letter(joint_invoices(
        iso3=iso3, name=name, as_of=as_of, invoices=invoices, meeting_titles=meeting_titles,
        conventions=conventions))


def render_joint_invoice_letter(letter: JointInvoices) -> str:
    """The Markdown of ``letter`` (see ``joint_invoices``)."""
    conventions = " and the ".join(letter.conventions)
    several = len(letter.sections) > 1
    lines = [
        f"# Contributions to the {conventions}: {md(letter.name)} ({md(letter.iso3)})",
        "",
        f"Date: {letter.as_of.isoformat()}",
        "",
        "Excellency,",
        "",
        (f"This letter brings together every invoice of the {conventions} addressed to your "
         "Government: the costs of meetings serviced by the United Nations (to be on the UN "
         "account 90 days before each meeting opens) and the contribution to "
         + ("each Convention's Implementation Support Unit." if several else
            f"the Implementation Support Unit of the {conventions}.")),
        "",
    ]
    if letter.totals:
        lines += [f"Issued by: {'; '.join(letter.issuers)}.", ""]
        for section in letter.sections:
            lines += [f"## {section.name}", ""]
            if not section.invoices:
                lines += ["No invoice is outstanding.", ""]
                continue
            lines += invoice_table(section.invoices, letter.meeting_titles)
            if several:
                lines += [""] + [f"Outstanding under the {section.name}: {_money(c, t)}  "
                                 for c, t in section.totals.items()]
                lines[-1] = lines[-1].rstrip()
            lines.append("")
        lines += [f"**Total outstanding: {_money(c, t)}**  " for c, t in letter.totals.items()]
        lines[-1] = lines[-1].rstrip()
    else:
        lines.append("No invoice is outstanding: thank you.")
    lines += [""]
    lines += [f"{who}  " for who in letter.signatories]
    lines[-1] = lines[-1].rstrip()
    lines.append("")
    return "\n".join(lines)


def invoice_table(invoices: Sequence[InvoiceFacts], meeting_titles: dict[str, str]) -> list[str]:
    rows = ["| invoice | for | issued by | issued | amount |", "|---|---|---|---|---:|"]
    for invoice in sorted(invoices, key=lambda i: (i.issued_on, i.number)):
        what = "ISU contribution" if invoice.kind == "isu_contribution" else (
            f"meeting costs: {md(meeting_titles.get(invoice.meeting or '', invoice.meeting or ''))}"
        )
        if invoice.illustrative:
            what += " (illustrative example)"
        rows.append(f"| {md(invoice.number)} | {what} | {invoice_issuer(invoice)} | "
                    f"{invoice.issued_on.isoformat()} | "
                    f"{_money(invoice_currency(invoice), invoice.amount_centimes)} |")
    return rows
