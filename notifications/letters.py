"""Letters in Markdown: one consolidated outreach letter per target State, and one joint
letter per State listing every open invoice (minutes of 7 December 2016, sections 5.1 and 6:
"one letter to each target State with elements from different Coordinators"; "one letter
... attaching two invoices"). Pure functions: data in, text out; ``as_of`` passed in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from rules.money import InvoiceFacts, format_chf
from rules.obligations import Obligation
from rules.treaties import TREATIES, treaty_of_key
from rules.wording import status_word, title, wording

# Who issues each kind of invoice (minutes of 7 December 2016: one letter signed with UNOG,
# with the UN conference-services invoice and the ISU contribution invoice).
INVOICE_ISSUERS = {
    "isu_contribution": "Implementation Support Unit of the CCM",
    "meeting_costs": "United Nations conference services (UNOG)",
}

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
    order = [code for code in TREATIES if code in by_treaty] + sorted(
        code for code in by_treaty if code not in TREATIES)
    conventions = " and ".join(_treaty_name(c) for c in order) if len(order) > 1 else (
        "Convention on Cluster Munitions")
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
        by = " and ".join(md(c) for c in ask.coordinators) or "the Coordinators"
        lines += [f"## {md(THEME_TITLES.get(ask.theme, ask.theme))}", "",
                  f"The Coordinators ({by}) ask you to {md(ask.ask or DEFAULT_ASKS.get(ask.theme, ''))}.", ""]
    if len(order) > 1:
        for code in order:
            lines += [f"## Open deadlines under the {_treaty_name(code)}", ""]
            lines += _deadline_table(by_treaty[code])
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
    """Who issued an invoice: the ISU (contributions) or UN conference services (meetings)."""
    return INVOICE_ISSUERS.get(invoice.kind, invoice.kind.replace("_", " "))


def invoice_currency(invoice: InvoiceFacts) -> str:
    """An invoice's currency (ISO 4217); the Committee's invoices are in Swiss francs."""
    return getattr(invoice, "currency", None) or "CHF"


def totals_by_currency(invoices: Sequence[InvoiceFacts]) -> dict[str, int]:
    """Outstanding amount (in hundredths) per currency: amounts in different currencies
    are never added together."""
    totals: dict[str, int] = {}
    for invoice in invoices:
        currency = invoice_currency(invoice)
        totals[currency] = totals.get(currency, 0) + invoice.amount_centimes
    return totals


def _money(currency: str, hundredths: int) -> str:
    return format_chf(hundredths) if currency == "CHF" else f"{currency} {hundredths / 100:,.2f}"


def joint_invoice_letter(
    *, iso3: str, name: str, as_of: dt.date, invoices: Sequence[InvoiceFacts],
    meeting_titles: dict[str, str] | None = None,
) -> str:
    """One letter, signed jointly, listing every invoice ``iso3`` has not paid on ``as_of``,
    each with its issuer, and the total outstanding per currency."""
    totals = totals_by_currency(invoices)
    issuers = sorted({invoice_issuer(i) for i in invoices})
    lines = [
        f"# Contributions to the Convention on Cluster Munitions: {md(name)} ({md(iso3)})",
        "",
        f"Date: {as_of.isoformat()}",
        "",
        "Excellency,",
        "",
        ("This letter brings together every invoice of the Convention addressed to your "
        "Government: the costs of meetings serviced by the United Nations (to be on the UN "
        "account 90 days before each meeting opens) and the contribution to the Implementation "
        "Support Unit under the 40/60 funding model agreed in Dubrovnik."),
        "",
    ]
    if invoices:
        lines += [f"Issued by: {'; '.join(issuers)}.", ""]
        lines += invoice_table(invoices, meeting_titles or {})
        lines += [""] + [f"**Total outstanding: {_money(c, t)}**  " for c, t in sorted(totals.items())]
        lines[-1] = lines[-1].rstrip()
    else:
        lines.append("No invoice is outstanding: thank you.")
    lines += ["", "The Director-General of the United Nations Office at Geneva  ",
              "The President of the Convention on Cluster Munitions", ""]
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
