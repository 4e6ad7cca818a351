"""What each obligation kind is called, asks, and where it goes: the one table of wording
that digests, letters and feeds share. Pure data and string functions; no I/O.

Addresses (who receives Art. 7 reports, how to reach the ISU) are settings: callers pass an
``Addresses`` in (``Addresses.of(settings)``), this module never reads them.

API (kept stable for ``notifications`` and ``calendars``):

- ``wording(kind) -> KindWording``: name, treaty reference, what to do, how it is delivered.
- ``title(kind, period) -> str``: "2025 annual transparency report", "Initial transparency
  report", "Request to extend the 2026-05-01 clearance deadline".
- ``what_to_do(kind) -> str``: one sentence, e.g. "Submit the annual transparency report."
- ``destination(kind, addresses) -> Destination | None``: where it goes ("Send it to: ...");
  ``None`` when nothing is sent (an action item).
- ``status_word(status) -> str``: "overdue", "met late", "not needed", ...

Sources: the Convention on Cluster Munitions, Art. 3, 4 and 7 (treaty text); the financial
procedures (meeting costs 90 days before a meeting, ISU contributions).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

# send: the document is sent to the Art. 7 recipient. declare: the work is done, not sent;
# completion is declared in the State's Art. 7 report. submit: a request goes to the Meeting
# of States Parties through the ISU. pay: money to the account on the invoice. none: internal.
Delivery = Literal["send", "declare", "submit", "pay", "none"]


@dataclass(frozen=True, slots=True)
class KindWording:
    """The words for one obligation kind."""

    kind: str
    name: str  # lower-case noun phrase, without period: "annual transparency report"
    reference: str  # the treaty provision: "Art. 7(2)"
    article: str  # the article as a category: "Art. 7" ("" when none applies)
    to_do: str  # what to do, one sentence ending with a full stop
    delivery: Delivery


@dataclass(frozen=True, slots=True)
class Addresses:
    """Where things go, from settings (``calendar_report_recipient``, ``calendar_isu_contact``)."""

    report_recipient: str
    isu_contact: str

    @classmethod
    def of(cls, settings: Any) -> Addresses:
        """From any object with the two settings attributes (``settings.Settings``)."""
        return cls(settings.calendar_report_recipient, settings.calendar_isu_contact)


@dataclass(frozen=True, slots=True)
class Destination:
    """Where an obligation's result goes: ``label`` ("Send it to") and ``text`` (the address)."""

    label: str
    text: str

    def __str__(self) -> str:
        return f"{self.label}: {self.text}."


KINDS: dict[str, KindWording] = {
    w.kind: w
    for w in (
        KindWording(
            "art7_initial", "initial transparency report", "Art. 7(1)", "Art. 7",
            "Submit the initial transparency report (due 180 days after entry into force).",
            "send",
        ),
        KindWording(
            "art7_annual", "annual transparency report", "Art. 7(2)", "Art. 7",
            "Submit the annual transparency report covering the calendar year (due 30 April).",
            "send",
        ),
        KindWording(
            "art3_stockpile", "destruction of stockpiled cluster munitions", "Art. 3(2)", "Art. 3",
            "Destroy all stockpiled cluster munitions by the deadline, or request an extension "
            "in time.",
            "declare",
        ),
        KindWording(
            "art4_clearance", "clearance of cluster munition remnants", "Art. 4(1)", "Art. 4",
            "Clear and destroy cluster munition remnants in contaminated areas by the deadline, "
            "or request an extension in time.",
            "declare",
        ),
        KindWording(
            "art3_extension_request", "request to extend the stockpile destruction deadline",
            "Art. 3(3)", "Art. 3",
            "If destruction will not be finished by the deadline, submit an extension request "
            "(up to 4 years) to the Meeting of States Parties that precedes it.",
            "submit",
        ),
        KindWording(
            "art4_extension_request", "request to extend the clearance deadline",
            "Art. 4(5)", "Art. 4",
            "If clearance will not be finished by the deadline, submit an extension request "
            "(up to 5 years) to the Meeting of States Parties that precedes it.",
            "submit",
        ),
        # APMBC (rules.treaties.APMBC): Art. 4 has no extension mechanism
        KindWording(
            "art4_stockpile", "destruction of stockpiled anti-personnel mines", "APMBC Art. 4",
            "Art. 4",
            "Destroy all stockpiled anti-personnel mines by the deadline (Art. 4 allows no "
            "extension).",
            "declare",
        ),
        KindWording(
            "art5_clearance", "clearance of mined areas", "APMBC Art. 5(1)", "Art. 5",
            "Destroy all anti-personnel mines in mined areas by the deadline, or request an "
            "extension in time.",
            "declare",
        ),
        KindWording(
            "art5_extension_request", "request to extend the mine clearance deadline",
            "APMBC Art. 5(3)", "Art. 5",
            "If clearance will not be finished by the deadline, submit an extension request "
            "(up to 10 years) to the Meeting of States Parties or Review Conference that "
            "precedes it.",
            "submit",
        ),
        KindWording(
            "meeting_funds", "meeting costs on the UN account", "financial procedures", "",
            "Make sure the States' shares of the meeting's costs are on the UN account 90 days "
            "before it opens.",
            "pay",
        ),
        KindWording(
            "invoice_followup", "follow-up of an unpaid ISU contribution invoice",
            "financial procedures", "",
            "Remind the State of its unpaid ISU contribution invoice.",
            "none",
        ),
        KindWording(
            "action_item", "action item", "", "",
            "Complete the action item, or mark it done or dropped.",
            "none",
        ),
    )
}

STATUS_WORDS: dict[str, str] = {
    "open": "open",
    "overdue": "overdue",
    "met": "met",
    "met_late": "met late",
    "not_needed": "not needed",
    "unverified": "unverified",
    "history": "history",
    "retired": "retired",
}


def wording(kind: str) -> KindWording:
    """The wording of ``kind``; an unknown kind gets its code in words and no delivery."""
    found = KINDS.get(kind)
    if found is not None:
        return found
    name = kind.replace("_", " ")
    return KindWording(kind, name, "", "", f"Complete the {name}.", "none")


def title(kind: str, period: str | None = None) -> str:
    """A human title with the period in it, capitalised: "2025 annual transparency report"."""
    words = wording(kind)
    if not period:
        text = words.name
    elif kind == "art7_annual":
        text = f"{period} {words.name}"
    elif kind in ("art3_extension_request", "art4_extension_request", "art5_extension_request"):
        # the period is the deadline the request would extend: "the 2026-05-01 ... deadline"
        subject = "stockpile destruction" if kind.startswith("art3") else "clearance"
        text = f"request to extend the {period} {subject} deadline"
    elif kind == "invoice_followup":
        match = re.fullmatch(r"(?P<number>.+)-F(?P<step>\d+)", period)
        text = (
            f"follow-up {match['step']} of unpaid ISU contribution invoice {match['number']}"
            if match
            else f"{words.name} ({period})"
        )
    elif kind == "meeting_funds":
        text = f"meeting costs on the UN account ({period})"
    elif kind == "action_item":
        text = f"action item {period}"
    else:
        text = f"{words.name} ({period})"
    return text[:1].upper() + text[1:]


def what_to_do(kind: str) -> str:
    return wording(kind).to_do


# Another convention's addresses (the settings' are the CCM's): its own ISU, never the CCM's.
# Source: APMBC Art. 7(1) (reports to the UN Secretary-General); the APMBC ISU, Geneva.
TREATY_ADDRESSES: dict[str, Addresses] = {
    "APMBC": Addresses(
        report_recipient=(
            "the UN Secretary-General, through the UN Office for Disarmament Affairs (Art. 7 "
            "reporting), with a copy to the APMBC Implementation Support Unit (ISU), Geneva"),
        isu_contact=(
            "the APMBC Implementation Support Unit (ISU), Geneva "
            "(https://www.apminebanconvention.org)"),
    ),
}


def addresses_for(treaty: str, addresses: Addresses) -> Addresses:
    """The addresses of ``treaty``'s deadlines: ``addresses`` (from settings) for the CCM,
    the convention's own (``TREATY_ADDRESSES``) for another one it knows."""
    return addresses if treaty == "CCM" else TREATY_ADDRESSES.get(treaty, addresses)


def destination(kind: str, addresses: Addresses) -> Destination | None:
    """Where the result goes, in words; ``None`` when nothing leaves the Committee."""
    delivery = wording(kind).delivery
    if delivery == "send":
        return Destination("Send it to", addresses.report_recipient)
    if delivery == "declare":
        return Destination(
            "How it is declared",
            "nothing is sent; completion is declared in the State's next Art. 7 transparency "
            f"report, which goes to {addresses.report_recipient}",
        )
    if delivery == "submit":
        return Destination(
            "Submit it to", f"the Meeting of States Parties, through {addresses.isu_contact}"
        )
    if delivery == "pay":
        return Destination(
            "Pay to", "the United Nations account named on the invoices (UN Office at Geneva)"
        )
    return None


def status_word(status: str) -> str:
    """A status as people read it: ``met_late`` -> "met late"."""
    return STATUS_WORDS.get(status, status.replace("_", " "))
