"""The wording of reminder digests. Pure: items and ``as_of`` in, title and body out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from rules.wording import title, wording


@dataclass(frozen=True)
class DigestItem:
    key: str
    state: str | None
    state_name: str | None
    kind: str
    period: str | None
    due: dt.date
    stage: str
    note: str = ""


def digest_title(recipient: str, items: Sequence[DigestItem], as_of: dt.date) -> str:
    overdue = sum(1 for item in items if item.due < as_of)
    coming = len(items) - overdue
    parts = [f"{overdue} overdue" if overdue else "", f"{coming} coming up" if coming else ""]
    return f"CCM deadlines: {', '.join(p for p in parts if p)} ({as_of.isoformat()})"


def digest_body(recipient: str, items: Sequence[DigestItem], as_of: dt.date) -> str:
    ordered = sorted(items, key=lambda item: (item.due, item.key))
    overdue = [item for item in ordered if item.due < as_of]
    coming = [item for item in ordered if item.due >= as_of]
    lines = [f"Deadlines followed by {recipient}, as of {as_of.isoformat()} (Geneva).", ""]
    for heading, group in (("OVERDUE", overdue), ("COMING UP", coming)):
        if not group:
            continue
        lines.append(heading)
        for item in group:
            lines.extend(_item_lines(item, as_of))
        lines.append("")
    lines.append(
        "Already in hand? Stop the reminders for one deadline with: "
        f"ccm-tracker ack KEY --recipient {recipient}"
    )
    return "\n".join(lines)


def _item_lines(item: DigestItem, as_of: dt.date) -> list[str]:
    who = item.state_name or item.state or "Coordination Committee"
    if item.state and item.state_name:
        who = f"{item.state_name} ({item.state})"
    reference = wording(item.kind).reference
    what = title(item.kind, item.period) + (f" ({reference})" if reference else "")
    lines = [f"- {who}: {what}", f"  due {item.due.isoformat()} ({_days(item.due, as_of)})"]
    if item.note:
        lines.append(f"  {item.note}")
    lines.append(f"  key: {item.key}")
    return lines


def _days(due: dt.date, as_of: dt.date) -> str:
    days = (due - as_of).days
    if days == 0:
        return "today"
    if days > 0:
        return f"in {days} day{'s' if days != 1 else ''}"
    return f"{-days} day{'s' if days != -1 else ''} late"
