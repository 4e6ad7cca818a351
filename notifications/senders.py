"""Message kind -> sender. A sender turns claimed outbox rows into one channel call and
raises a ``DeliveryError`` when it fails; it never writes to the database.

"reminder": all the recipient's claimed rows go out as ONE digest (wording in ``render``).
"invite":   one row, its own subject/body, the .ics attached (``text/calendar``). Apprise's
            email plugin cannot set ``method=`` on the part, so the calendars code may
            register its own sender for "invite" (``register_sender``) that builds the iTIP
            MIME itself; it gets the same claim, retries and records.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from notifications.channels.apprise_channel import AppriseChannel, OutgoingAttachment
from notifications.outbox import ClaimedRow
from notifications.recipients import Audience
from notifications.render import DigestItem, digest_body, digest_title


@dataclass(frozen=True)
class ObligationDetails:
    state: str | None
    state_name: str | None
    kind: str
    period: str | None
    note: str


@dataclass(frozen=True)
class Outgoing:
    """What a sender gets: the recipient, its claimed rows, the day, obligation details."""

    audience: Audience
    rows: Sequence[ClaimedRow]
    as_of: dt.date
    details: Mapping[str, ObligationDetails]


Sender = Callable[[AppriseChannel, Outgoing], None]


def send_reminder_digest(channel: AppriseChannel, outgoing: Outgoing) -> None:
    items = [_item(row, outgoing.details.get(row.obligation_key)) for row in outgoing.rows]
    name = outgoing.audience.name
    channel.send(
        tag=outgoing.audience.tag,
        recipient=name,
        title=digest_title(name, items, outgoing.as_of),
        body=digest_body(name, items, outgoing.as_of),
    )


def send_invite(channel: AppriseChannel, outgoing: Outgoing) -> None:
    """Each invite row on its own. It goes to the Apprise tag ``<tag>-invite`` when the config
    has one (e.g. a ``ccminvite://`` URL that sends real iTIP MIME), else to ``<tag>``, where
    the .ics rides as an attachment (Slack, Teams, plain email...)."""
    invite_tag = f"{outgoing.audience.tag}-invite"
    tag = invite_tag if channel.has_tag(invite_tag) else outgoing.audience.tag
    for row in outgoing.rows:
        attachments = []
        if row.attachment is not None:
            mimetype = "text/calendar"
            attachments.append(
                OutgoingAttachment(row.attachment_name or "invite.ics", row.attachment, mimetype)
            )
        channel.send(
            tag=tag,
            recipient=outgoing.audience.name,
            title=row.subject,
            body=row.body,
            attachments=attachments,
        )


def _item(row: ClaimedRow, details: ObligationDetails | None) -> DigestItem:
    return DigestItem(
        key=row.obligation_key,
        state=details.state if details else None,
        state_name=details.state_name if details else None,
        kind=details.kind if details else "obligation",
        period=details.period if details else None,
        due=row.due or row.send_on,
        stage=row.stage,
        note=details.note if details else "",
    )


SENDERS: dict[str, Sender] = {"reminder": send_reminder_digest, "invite": send_invite}


def register_sender(kind: str, sender: Sender) -> None:
    """Route outbox rows of ``kind`` to ``sender`` (e.g. an iTIP MIME builder for invites)."""
    SENDERS[kind] = sender
