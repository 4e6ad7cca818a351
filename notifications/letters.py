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
    """One letter to ``iso3`` with every theme's ask, open deadline and open invoice."""
    themes = ", ".join(THEME_TITLES.get(a.theme, a.theme) for a in asks) or "none"
    lines = [
        f"# Convention on Cluster Munitions: letter to {name} ({iso3})",
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
        by = " and ".join(ask.coordinators) or "the Coordinators"
        lines += [f"## {THEME_TITLES.get(ask.theme, ask.theme)}", "",
                  f"The Coordinators ({by}) ask you to {ask.ask or DEFAULT_ASKS.get(ask.theme, '')}.", ""]
    lines += ["## Open deadlines", ""]
    if obligations:
        lines += ["| due | what | status |", "|---|---|---|"]
        for obligation, status in sorted(obligations, key=lambda pair: (pair[0].due, pair[0].key)):
            reference = wording(obligation.kind).reference
            what = title(obligation.kind, obligation.period)
            what += f" ({reference})" if reference else ""
            lines.append(f"| {obligation.due.isoformat()} | {what} | {status_word(status)} |")
    else:
        lines.append("None on record.")
    lines += ["", "## Open invoices", ""]
    lines += invoice_table(invoices, meeting_titles or {}) if invoices else ["None on record."]
    lines += ["", "Please accept the assurances of our highest consideration.", ""]
    return "\n".join(lines)


def joint_invoice_letter(
    *, iso3: str, name: str, as_of: dt.date, invoices: Sequence[InvoiceFacts],
    meeting_titles: dict[str, str] | None = None,
) -> str:
    """One letter, signed jointly, listing every invoice ``iso3`` has not paid on ``as_of``."""
    total = sum(i.amount_centimes for i in invoices)
    lines = [
        f"# Contributions to the Convention on Cluster Munitions: {name} ({iso3})",
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
        lines += invoice_table(invoices, meeting_titles or {})
        lines += ["", f"**Total outstanding: {format_chf(total)}**"]
    else:
        lines.append("No invoice is outstanding: thank you.")
    lines += ["", "The Director-General of the United Nations Office at Geneva  ",
              "The President of the Convention on Cluster Munitions", ""]
    return "\n".join(lines)


def invoice_table(invoices: Sequence[InvoiceFacts], meeting_titles: dict[str, str]) -> list[str]:
    rows = ["| invoice | for | issued | amount |", "|---|---|---|---:|"]
    for invoice in sorted(invoices, key=lambda i: (i.issued_on, i.number)):
        what = "ISU contribution" if invoice.kind == "isu_contribution" else (
            f"meeting costs: {meeting_titles.get(invoice.meeting or '', invoice.meeting or '')}"
        )
        if invoice.illustrative:
            what += " (illustrative example)"
        rows.append(f"| {invoice.number} | {what} | {invoice.issued_on.isoformat()} | "
                    f"{format_chf(invoice.amount_centimes)} |")
    return rows
