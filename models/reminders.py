"""Reminder tables: who follows what (``Recipient``), the outbox (``Reminder``) and
acknowledgements (``Acknowledgement``).

The outbox row is the idempotency record: one row per (obligation key, version, stage,
recipient), under a unique constraint. Dispatch claims rows with a conditional UPDATE and
records "sending" before every call and the outcome after (see ``notifications.outbox``).
Apprise URLs never live here: a recipient names an Apprise *tag*; the URLs stay in the Apprise
config file named by ``CCM_APPRISE_CONFIG``.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import Column, LargeBinary, String, UniqueConstraint
from sqlmodel import Field, SQLModel


class OutboxState(StrEnum):
    PENDING = "pending"  # planned, or a transient failure waiting for next_attempt_at
    SENDING = "sending"  # claimed by one dispatcher; the call is (about to be) in flight
    SENT = "sent"
    FAILED = "failed"  # permanent error, or transient errors until max attempts
    CANCELLED = "cancelled"  # acknowledged, met, or superseded by a new version before sending


class Recipient(SQLModel, table=True):
    """A person or channel that follows obligations. Empty filter lists mean "everything".

    Filters are stored as comma-separated lists (themes, ISO3 codes, kinds).
    """

    __tablename__ = "recipient"

    name: str = Field(primary_key=True, max_length=64)
    tag: str = Field(max_length=64)  # the Apprise tag in the Apprise config file
    # The address calendar invites name as ATTENDEE (optional; not a delivery channel: the
    # invite itself goes through the Apprise tag "<tag>-invite", else "<tag>").
    email: str | None = Field(default=None, max_length=254)
    themes: str = Field(default="", sa_column=Column(String, nullable=False, default=""))
    states: str = Field(default="", sa_column=Column(String, nullable=False, default=""))
    kinds: str = Field(default="", sa_column=Column(String, nullable=False, default=""))
    created_at: dt.datetime  # timezone-aware UTC
    # Set when the recipient stopped their reminders (RFC 8058 one-click, or the personal
    # page): nothing more is planned for them until it is cleared (`recipients resume`).
    stopped_at: dt.datetime | None = None


class Reminder(SQLModel, table=True):
    """One outbox row: a message to one recipient about one obligation stage (or an invite)."""

    __tablename__ = "reminder"
    __table_args__ = (
        UniqueConstraint(
            "obligation_key", "version", "stage", "recipient", name="uq_reminder_idempotency"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    message_kind: str = Field(default="reminder", max_length=16)  # reminder | invite
    obligation_key: str = Field(index=True, max_length=128)
    version: int
    stage: str = Field(max_length=64)  # e.g. "before:30d", "due", "overdue:w2", "invite:REQUEST"
    recipient: str = Field(index=True, max_length=64)
    due: dt.date | None = None  # the legal date (never moved)
    send_on: dt.date  # the Geneva working day the stage falls on
    state: str = Field(default=OutboxState.PENDING, index=True, max_length=16)
    attempts: int = 0
    last_error: str = Field(default="", sa_column=Column(String, nullable=False, default=""))
    next_attempt_at: dt.datetime | None = None
    claim_token: str | None = Field(default=None, index=True, max_length=64)
    claimed_at: dt.datetime | None = None
    # The claiming dispatcher's last sign of life (it renews this while it runs): a row whose
    # heartbeat is older than the lease belonged to a dispatcher that died.
    heartbeat_at: dt.datetime | None = None
    # Why a failed row failed: "no_address" (its tag had no URL: retried once it has one),
    # "permanent", "attempts" (gave up), or "" (not failed).
    failure_kind: str = Field(default="", sa_column=Column(String(16), nullable=False, default=""))
    sent_at: dt.datetime | None = None
    created_at: dt.datetime
    updated_at: dt.datetime
    # Non-reminder messages (invites) carry their own wording and attachment.
    subject: str = Field(default="", sa_column=Column(String, nullable=False, default=""))
    body: str = Field(default="", sa_column=Column(String, nullable=False, default=""))
    attachment: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    attachment_name: str | None = Field(default=None, max_length=128)
    attachment_method: str | None = Field(default=None, max_length=16)  # iTIP: REQUEST | CANCEL


class Acknowledgement(SQLModel, table=True):
    """Someone said "we know": no further reminders for this obligation version.

    ``recipient`` is "*" when the acknowledgement stops reminders for everyone.
    """

    __tablename__ = "acknowledgement"
    __table_args__ = (
        UniqueConstraint("obligation_key", "recipient", name="uq_acknowledgement"),
    )

    id: int | None = Field(default=None, primary_key=True)
    obligation_key: str = Field(index=True, max_length=128)
    recipient: str = Field(default="*", max_length=64)
    version: int  # reminders stop for this version and earlier; a moved date starts anew
    at: dt.datetime
    actor: str = Field(max_length=120)
    # A snooze: reminders resume on this day (Geneva). None: acknowledged for good.
    until: dt.date | None = None


class Delivery(SQLModel, table=True):
    """One outbox row delivered to one address of its recipient's tag.

    A tag may name several Apprise URLs; each is an *address* (``address_id``: a hash of the
    URL with its secrets masked). A retry goes only to the addresses with no delivery row, so
    a message reaches each address once even when another address keeps failing.
    """

    __tablename__ = "delivery"
    __table_args__ = (UniqueConstraint("reminder_id", "address_id", name="uq_delivery"),)

    id: int | None = Field(default=None, primary_key=True)
    reminder_id: int = Field(foreign_key="reminder.id", index=True)
    address_id: str = Field(max_length=64)
    label: str = Field(default="", max_length=200)  # e.g. "email to anna@example.org"
    delivered_at: dt.datetime
