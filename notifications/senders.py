"""Message kind -> the letter its claimed rows make. A sender is pure: rows and details in,
a ``Letter`` out; the dispatcher hands the letter to each address (``AppriseChannel.deliver``).

"reminder": all of a recipient's claimed rows make ONE digest (``notifications.digest``,
            rendered by ``notifications.message``).
"invite":   one row: its subject, text and iTIP calendar (a real invite by email, an .ics
            attachment elsewhere).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from notifications.channels.apprise_channel import Letter
from notifications.digest import DigestItem, build_digest
from notifications.links import Links
from notifications.message import Rendered, render_digest
from notifications.outbox import ClaimedRow
from notifications.recipients import Audience
from rules.wording import Addresses


@dataclass(frozen=True)
class ObligationDetails:
    state: str | None
    state_name: str | None
    kind: str
    period: str | None
    note: str


@dataclass(frozen=True)
class Outgoing:
    """What a sender gets: the recipient, the rows for one address, the day, obligation
    details, the run's link maker and the addresses wording reads."""

    audience: Audience
    rows: Sequence[ClaimedRow]
    as_of: dt.date
    details: Mapping[str, ObligationDetails]
    links: Links
    addresses: Addresses
    # conventions whose register of reports received was never imported (the digest says so)
    not_imported: tuple[str, ...] = ()


Sender = Callable[[Outgoing], Letter]


def reminder_digest(outgoing: Outgoing) -> Letter:
    name = outgoing.audience.name
    links = outgoing.links
    digest = build_digest(
        recipient=name,
        items=[_item(row, outgoing.details.get(row.obligation_key)) for row in outgoing.rows],
        as_of=outgoing.as_of,
        addresses=outgoing.addresses,
        act_url=lambda item, action: links.act_url(item.row_id, action),
        page_url=links.page_url(name),
        stop_url=links.stop_url(name),
        not_imported=outgoing.not_imported,
    )
    return Letter(render_digest(digest))


def invite(outgoing: Outgoing) -> Letter:
    (row,) = outgoing.rows
    return Letter(Rendered(subject=row.subject, text=row.body, html=""), calendar=row.attachment)


def _item(row: ClaimedRow, details: ObligationDetails | None) -> DigestItem:
    return DigestItem(
        key=row.obligation_key,
        version=row.version,
        row_id=row.id,
        state=details.state if details else None,
        state_name=details.state_name if details else None,
        kind=details.kind if details else "obligation",
        period=details.period if details else None,
        due=row.due or row.send_on,
        note=details.note if details else "",
    )


SENDERS: dict[str, Sender] = {"reminder": reminder_digest, "invite": invite}
