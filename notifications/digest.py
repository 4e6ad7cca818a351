"""A reminder digest as a person reads it: grouped by what is asked, States by name.

Pure: claimed rows, obligation details, links and ``as_of`` in; a ``Digest`` out, which the
templates in ``notifications/templates/`` render as the HTML and text parts
(``notifications.message``). The wording per kind (title, what to do, where to send) comes
from ``rules.wording``, the table the feeds use too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace

from rules import wording as words

COMMITTEE = "Coordination Committee"


@dataclass(frozen=True)
class DigestItem:
    """One obligation in a digest (an outbox row and its obligation's details)."""

    key: str
    version: int
    row_id: int  # the outbox row: its action links act on this recipient's reminder
    state: str | None
    state_name: str | None
    kind: str
    period: str | None
    due: dt.date
    note: str = ""


@dataclass(frozen=True)
class Line:
    """One item as shown: who, when, how late, and its action link(s)."""

    who: str
    due: str  # "30 April 2026"
    when: str  # "in 59 days", "today", "12 days late"
    overdue: bool
    note: str
    acknowledge_url: str
    snooze_url: str


@dataclass(frozen=True)
class Group:
    """Every item of one kind and period: one heading, one table."""

    title: str  # "2025 annual transparency report"
    reference: str  # "Art. 7(2)"
    summary: str  # "2 of your States are late; 1 is due on 30 April 2026"
    to_do: str
    destination: str  # "Send it to: ..." (or "")
    note: str  # a note every item of the group shares, said once (else each line has its own)
    lines: list[Line]
    overdue: int
    coming: int
    treaty: str = "CCM"  # the convention the group's items are under (its code)


@dataclass(frozen=True)
class Digest:
    recipient: str
    as_of: str  # "2 March 2026"
    subject: str
    groups: list[Group]
    overdue: int
    coming: int
    page_url: str
    stop_url: str
    footer: list[str] = field(default_factory=list)
    conventions: str = "CCM"  # "CCM", "APMBC", "CCM and APMBC": the heading's first words
    notice: str = ""  # said once, under the heading: no record of receipt (``register_notice``)

    @property
    def headline(self) -> str:
        """"12 overdue, 3 coming up" (a zero count left out)."""
        parts = [f"{self.overdue} overdue" if self.overdue else "",
                 f"{self.coming} coming up" if self.coming else ""]
        return ", ".join(p for p in parts if p)


ActUrl = Callable[[DigestItem, str], str]  # (item, "ack" | "snooze") -> URL


def human_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def how_late(due: dt.date, as_of: dt.date) -> str:
    days = (due - as_of).days
    if days == 0:
        return "due today"
    if days > 0:
        return f"in {days} day{'s' if days != 1 else ''}"
    return f"{-days} day{'s' if days != -1 else ''} late"


def subject(items: Sequence[DigestItem], as_of: dt.date) -> str:
    """The counts a person needs before opening: "CCM deadlines: 1 overdue, 2 coming up"; named
    for the conventions of its items ("APMBC deadlines", "CCM and APMBC deadlines")."""

    overdue = sum(1 for item in items if item.due < as_of)
    coming = len(items) - overdue
    parts = [f"{overdue} overdue" if overdue else "", f"{coming} coming up" if coming else ""]
    return f"{conventions(items)} deadlines: {', '.join(p for p in parts if p)} ({as_of.isoformat()})"


def conventions(items: Iterable[DigestItem]) -> str:
    """The codes of the conventions ``items`` are under, the CCM first: "CCM", "APMBC",
    "CCM and APMBC" (no item: "CCM")."""
    from rules.treaties import TREATIES, treaty_of_key

    present = {treaty_of_key(item.key) for item in items}
    known = [code for code in TREATIES if code in present] + sorted(present - set(TREATIES))
    return " and ".join(known) or "CCM"


def register_notice(conventions: Sequence[str], not_imported: Collection[str]) -> str:
    """One paragraph when the register of reports received of a convention in the digest was
    never imported (``models.treaty_facts.reports_register_not_imported``): a report past due
    with no record is then left out (``unverified``), and one shown late may only lack a
    record of receipt; says how to import it. "" when every register was imported."""
    missing = [code for code in conventions if code in not_imported]
    if not missing:
        return ""
    which = " and the ".join(missing)
    option = "" if missing == ["CCM"] else " (--treaty apmbc for the APMBC's)"
    return (
        f"No record of receipt: no register of reports received has been imported for the "
        f"{which}, so reports past due with nothing recorded are not listed here, and a report "
        "shown as late may only lack a record of receipt. To import a register: ccm-tracker import "
        f"FILE.csv{option}, with the columns iso3,report,received_on,source."
    )


def build_digest(
    *,
    recipient: str,
    items: Iterable[DigestItem],
    as_of: dt.date,
    addresses: words.Addresses,
    act_url: ActUrl,
    page_url: str,
    stop_url: str,
    not_imported: Collection[str] = (),
) -> Digest:
    """Group ``items`` by convention, kind and period (late groups first, then by due date);
    inside a group, States by name (case- and accent-insensitive), the Committee's own items
    last. A group of another convention than the CCM is titled with its code ("APMBC: ...");
    in a digest holding more than one convention the CCM's groups are too ("CCM: ..."), so
    a reader knows which convention every item is under. ``not_imported``: the codes of the
    conventions whose register of reports received was never imported; for those among the
    items', the digest says so once (``register_notice``)."""
    items = list(items)
    several = " and " in conventions(items)
    by_group: dict[tuple[str, str, str | None], list[DigestItem]] = {}
    for item in items:
        by_group.setdefault((item.key.split(":", 1)[0], item.kind, item.period), []).append(item)
    ordered = sorted(
        by_group.items(),
        key=lambda pair: (min(i.due for i in pair[1]) >= as_of, min(i.due for i in pair[1]),
                          pair[0][1], pair[0][2] or "", pair[0][0] != "CCM", pair[0][0]),
    )
    groups = [_group(kind, period, members, as_of, addresses, act_url, treaty, labelled=several)
              for (treaty, kind, period), members in ordered]
    overdue = sum(g.overdue for g in groups)
    return Digest(
        recipient=recipient,
        as_of=human_date(as_of),
        subject=subject(items, as_of),
        groups=groups,
        overdue=overdue,
        coming=len(items) - overdue,
        page_url=page_url,
        stop_url=stop_url,
        conventions=conventions(items),
        notice=register_notice(conventions(items).split(" and "), not_imported),
    )


def one_line(text: str) -> str:
    """Control characters and line breaks as single spaces: one item stays one line."""
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


def _who(item: DigestItem) -> str:
    return one_line(item.state_name or item.state or COMMITTEE)


def _sort_name(item: DigestItem) -> tuple[int, str]:
    import unicodedata

    name = unicodedata.normalize("NFKD", _who(item)).encode("ascii", "ignore").decode()
    return (item.state is None, name.casefold())


def _group(
    kind: str,
    period: str | None,
    members: list[DigestItem],
    as_of: dt.date,
    addresses: words.Addresses,
    act_url: ActUrl,
    treaty: str = "CCM",
    *,
    labelled: bool = False,
) -> Group:
    kind_words = words.wording(kind)
    members = sorted(members, key=lambda i: (_sort_name(i), i.due))
    lines = [
        Line(
            who=_who(item),
            due=human_date(item.due),
            when=how_late(item.due, as_of),
            overdue=item.due < as_of,
            note=one_line(item.note),
            acknowledge_url=act_url(item, "ack"),
            snooze_url=act_url(item, "snooze"),
        )
        for item in members
    ]
    notes = {line.note for line in lines}
    shared = notes.pop() if len(notes) == 1 and len(lines) > 1 else ""
    if shared:  # said once under the heading, not on every line
        lines = [replace(line, note="") for line in lines]
    overdue = sum(1 for line in lines if line.overdue)
    coming = len(lines) - overdue
    where = words.destination(kind, words.addresses_for(treaty, addresses))
    return Group(
        title=(words.title(kind, period) if treaty == "CCM" and not labelled
               else f"{treaty}: {words.title(kind, period)}"),
        reference=kind_words.reference,
        summary=_summary(overdue, coming, members, as_of),
        to_do=kind_words.to_do,
        destination=str(where) if where else "",
        note=shared,
        lines=lines,
        overdue=overdue,
        coming=coming,
        treaty=treaty,
    )


def _summary(overdue: int, coming: int, members: list[DigestItem], as_of: dt.date) -> str:
    states = sum(1 for m in members if m.state)
    noun = "States" if states == len(members) else "items"
    parts = []
    if overdue:
        parts.append(f"{overdue} of your {noun} {'is' if overdue == 1 else 'are'} late")
    if coming:
        next_due = min(m.due for m in members if m.due >= as_of)
        parts.append(f"{coming} {'is' if coming == 1 else 'are'} due, the first on {human_date(next_due)}")
    return "; ".join(parts)
