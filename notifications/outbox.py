"""The outbox: enqueue messages idempotently, claim them before sending, record outcomes.

Every message - a reminder or an invite - is one ``reminder`` row, unique on (obligation key,
version, stage, recipient). The life of a row:

    pending --claim--> sending --sent--> sent
                          |----transient error--> pending (next_attempt_at = now + backoff)
                          |----permanent error, or last attempt--> failed
    pending --acknowledged / met / superseded--> cancelled
    sending, claimed but not sent (a stop was asked for, or the claim grew old) --> pending (released)
    sending, no heartbeat for the lease (its dispatcher died) --> pending (reclaimed; not an attempt)

A claim is a conditional UPDATE (``... WHERE state = 'pending'``) over a batch of groups that
stamps a fresh claim token and returns the rows it changed: only those rows carry the token,
so only their claimer sends them, on SQLite and on PostgreSQL alike (the second UPDATE
re-checks the state after the first commits). The claim is committed before the first call;
each outcome is written right after its call.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import Connection, and_, bindparam, case, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from models.reminders import Delivery, OutboxState, Reminder
from notifications.errors import DeliveryError
from notifications.policy import ReminderPolicy, retry_delay

T = Reminder.__table__  # type: ignore[attr-defined]
D = Delivery.__table__  # type: ignore[attr-defined]
NO_ADDRESS = "no_address"  # failure_kind of a row whose tag had no URL: retried once it has one


@dataclass(frozen=True)
class Attachment:
    """A file sent with a message: for an iTIP invite, ``content`` is the .ics bytes,
    ``mimetype`` "text/calendar" and ``method`` the calendar's METHOD (REQUEST, CANCEL)."""

    filename: str
    content: bytes
    mimetype: str = "text/calendar"
    method: str | None = None


@dataclass(frozen=True)
class OutboxMessage:
    """One message to enqueue. ``(key, version, stage, recipient)`` is its idempotency key:
    enqueueing it again is a no-op, whatever its state.

    kind      "reminder" (wording rendered at send time, one digest per recipient per run)
              or "invite" (``subject``/``body``/``attachment`` given, sent one by one)
    key       the obligation key, or for an invite the event UID
    version   the obligation version, or for an invite the iCalendar SEQUENCE
    stage     "before:30d", "due", "overdue:w1"...; for an invite "invite:REQUEST"...
    recipient a ``recipient`` name (its Apprise tag routes the message)
    send_on   not sent before this day (Geneva)
    """

    kind: str
    key: str
    version: int
    stage: str
    recipient: str
    send_on: dt.date
    due: dt.date | None = None
    subject: str = ""
    body: str = ""
    attachment: Attachment | None = None


def enqueue(*, session: Session, messages: Sequence[OutboxMessage], now: dt.datetime) -> int:
    """Insert ``messages``; rows already there are left alone. Returns how many were new."""
    if not messages:
        return 0
    values = [_row(m, now) for m in messages]
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    inserted = 0
    for start in range(0, len(values), 2000):
        statement = (
            insert(T)
            .on_conflict_do_nothing(index_elements=["obligation_key", "version", "stage", "recipient"])
            .returning(T.c.id)
        )
        inserted += len(session.execute(statement, values[start : start + 2000]).all())
    return inserted


def _row(message: OutboxMessage, now: dt.datetime) -> dict[str, object]:
    attachment = message.attachment
    return {
        "message_kind": message.kind,
        "obligation_key": message.key,
        "version": message.version,
        "stage": message.stage,
        "recipient": message.recipient,
        "due": message.due,
        "send_on": message.send_on,
        "state": OutboxState.PENDING.value,
        "attempts": 0,
        "last_error": "",
        "created_at": now,
        "updated_at": now,
        "subject": message.subject,
        "body": message.body,
        "attachment": attachment.content if attachment else None,
        "attachment_name": attachment.filename if attachment else None,
        "attachment_method": attachment.method if attachment else None,
    }


EVERY_TREATY = "%"  # the LIKE pattern every obligation key matches


def treaty_keys(treaty: str | None) -> str:
    """The LIKE pattern of the obligation keys of ``treaty`` (a code: ``APMBC:%``), or of
    every convention (None: ``%``)."""
    return EVERY_TREATY if treaty is None else f"{treaty.upper()}:%"


def ready_condition(as_of, now, keys=EVERY_TREATY):  # type: ignore[no-untyped-def]
    """Rows a dispatcher may claim now (``as_of``, ``now`` and ``keys`` may be bind
    parameters): reminders only of the obligations whose keys match ``keys``
    (``treaty_keys``: one convention's); other messages (invites) whatever ``keys``."""
    return and_(
        T.c.state == OutboxState.PENDING.value,
        T.c.send_on <= as_of,
        or_(T.c.next_attempt_at.is_(None), T.c.next_attempt_at <= now),
        or_(T.c.message_kind != "reminder", T.c.obligation_key.like(keys)),
    )


@dataclass(frozen=True)
class Group:
    """What one claim takes: a recipient's reminders (one digest), or one invite row."""

    kind: str
    recipient: str
    row_id: int | None = None

    @classmethod
    def of(cls, kind: str, recipient: str, row_id: int) -> Group:
        """The group of an outbox row: reminders go by recipient, other messages one by one."""
        return cls(kind, recipient, None if kind == "reminder" else row_id)


def ready_groups(
    *, session: Session, as_of: dt.date, now: dt.datetime, keys: str = EVERY_TREATY
) -> list[Group]:
    rows = session.execute(
        select(T.c.message_kind, T.c.recipient, T.c.id).where(ready_condition(as_of, now, keys)).order_by(T.c.id)
    ).all()
    groups: dict[Group, None] = {}
    for kind, recipient, row_id in rows:
        groups[Group.of(kind, recipient, row_id)] = None
    return list(groups)


# The statements a dispatch runs once per batch or per message are built once (SQLAlchemy then
# reuses their compiled form): building expressions per call cost more than the UPDATE itself.
_READY = ready_condition(bindparam("b_as_of"), bindparam("b_now"), bindparam("b_keys"))
# A batch: every ready "reminder" row of the listed recipients, and the listed other rows.
_IN_BATCH = or_(
    and_(T.c.message_kind == "reminder", T.c.recipient.in_(bindparam("b_recipients", expanding=True))),
    and_(T.c.message_kind != "reminder", T.c.id.in_(bindparam("b_row_ids", expanding=True))),
)
# The claim returns the rows it changed (UPDATE ... RETURNING: SQLite >= 3.35, PostgreSQL).
_CLAIM = (
    update(T)
    .where(_READY, _IN_BATCH)
    .values(
        state=OutboxState.SENDING.value,
        claim_token=bindparam("b_token"),
        claimed_at=bindparam("b_now"),
        heartbeat_at=bindparam("b_now"),
        attempts=T.c.attempts + 1,
        updated_at=bindparam("b_now"),
    )
    .returning(*T.c)
)
_STILL_OURS = and_(
    T.c.id.in_(bindparam("b_ids", expanding=True)),
    T.c.claim_token == bindparam("b_token"),
    T.c.state == OutboxState.SENDING.value,
)
_RECORD_SENT = update(T).where(_STILL_OURS).values(
    state=OutboxState.SENT.value,
    sent_at=bindparam("b_now"),
    last_error="",
    next_attempt_at=None,
    updated_at=bindparam("b_now"),
)
_RECORD_FAILURE = update(T).where(_STILL_OURS).values(
    state=bindparam("b_new_state"),
    next_attempt_at=bindparam("b_retry_at"),
    last_error=bindparam("b_error"),
    failure_kind=bindparam("b_failure_kind"),
    updated_at=bindparam("b_now"),
)
_RELEASE = update(T).where(_STILL_OURS).values(
    state=OutboxState.PENDING.value,
    claim_token=None,
    attempts=T.c.attempts - 1,
    updated_at=bindparam("b_now"),
)


class ClaimedRow(Protocol):
    """A claimed outbox row, as the claim returned it (the ``reminder`` table's columns)."""

    id: int
    message_kind: str
    obligation_key: str
    version: int
    stage: str
    recipient: str
    due: dt.date | None
    send_on: dt.date
    attempts: int
    claim_token: str
    subject: str
    body: str
    attachment: bytes | None
    attachment_name: str | None
    attachment_method: str | None


def claim(
    *, connection: Connection, groups: Sequence[Group], as_of: dt.date, now: dt.datetime,
    keys: str = EVERY_TREATY,
) -> dict[Group, list[ClaimedRow]]:
    """Mark the ready rows of ``groups`` "sending" under one fresh token, in one UPDATE.

    Returns the rows this UPDATE changed, by group, each group's rows in id order; rows another
    dispatcher claimed first are not returned, and a group with none is absent. A recipient's
    reminder rows that became ready since ``ready_groups`` are taken into its digest.
    """
    if not groups:
        return {}
    rows = connection.execute(_CLAIM, {
        "b_as_of": as_of,
        "b_now": now,
        "b_keys": keys,
        "b_token": uuid.uuid4().hex,
        "b_recipients": [g.recipient for g in groups if g.row_id is None],
        "b_row_ids": [g.row_id for g in groups if g.row_id is not None],
    }).all()
    claimed: dict[Group, list[ClaimedRow]] = {}
    for row in sorted(rows, key=lambda row: row.id):
        claimed.setdefault(Group.of(row.message_kind, row.recipient, row.id), []).append(row)  # type: ignore[arg-type]
    return claimed


def release(*, connection: Connection, rows: Sequence[ClaimedRow], now: dt.datetime) -> int:
    """Claimed but not sent (the dispatcher is stopping, or its claim grew old): back to
    pending at once, the attempt not counted. Returns how many rows were still ours."""
    return _update_ours(connection, _RELEASE, rows, now)


def record_sent(*, connection: Connection, rows: Sequence[ClaimedRow], now: dt.datetime) -> int:
    """Sent; returns how many rows were still ours (a reclaimed row is not overwritten)."""
    return _update_ours(connection, _RECORD_SENT, rows, now)


def _update_ours(connection: Connection, statement, rows: Sequence[ClaimedRow], now: dt.datetime) -> int:  # type: ignore[no-untyped-def]
    """Run a ``_STILL_OURS`` statement over one claim's rows; how many were still ours."""
    if not rows:
        return 0
    params = {"b_ids": [row.id for row in rows], "b_token": rows[0].claim_token, "b_now": now}
    return connection.execute(statement, params).rowcount


def record_failure(
    *,
    connection: Connection,
    rows: Sequence[ClaimedRow],
    error: DeliveryError,
    now: dt.datetime,
    policy: ReminderPolicy,
    failure_kind: str = "",
) -> list[str]:
    """Pending again with a backoff (transient), or failed (permanent / out of attempts).
    ``failure_kind`` NO_ADDRESS marks a row failed only because its tag had no URL.
    Returns the new state of each row, in order."""
    states = []
    for row in rows:
        delay = None if error.permanent else retry_delay(row.attempts, policy)
        if delay is None:
            kind = "permanent" if error.permanent else f"gave up after {row.attempts} attempts"
            state, retry_at, text = OutboxState.FAILED.value, None, f"{kind}: {error.reason}"
            failure_kind = failure_kind or ("permanent" if error.permanent else "attempts")
        else:
            state, retry_at = OutboxState.PENDING.value, now + delay
            text = (f"attempt {row.attempts} failed, retry after "
                    f"{retry_at.isoformat(timespec='minutes')}: {error.reason}")
        connection.execute(_RECORD_FAILURE, {
            "b_ids": [row.id], "b_token": row.claim_token, "b_now": now,
            "b_new_state": state, "b_retry_at": retry_at, "b_error": text[:2000],
            "b_failure_kind": failure_kind if state == OutboxState.FAILED.value else "",
        })
        states.append(state)
    return states


def reclaim_stale(*, session: Session, now: dt.datetime, lease: dt.timedelta) -> int:
    """Rows left "sending" whose dispatcher has not renewed its heartbeat within the lease:
    it died. Back to pending at once, and the attempt is not counted (a kill is not a failed
    delivery: four kills then one 421 must not give up on a row).

    Whether the message left before the process died is unknown: the next run sends it, so
    a dispatcher killed between the server's acceptance and our record duplicates at most
    that one in-flight message (docs/reminders.md, "Exactly once?").
    """
    seen = func.coalesce(T.c.heartbeat_at, T.c.claimed_at)
    return session.execute(
        update(T)
        .where(T.c.state == OutboxState.SENDING.value, seen < now - lease)
        .values(
            state=OutboxState.PENDING.value,
            next_attempt_at=None,
            attempts=case((T.c.attempts > 0, T.c.attempts - 1), else_=0),
            claim_token=None,
            last_error="the dispatcher that claimed this stopped without a word (killed?); if it "
                       "was sending this, the outcome is unknown; sending again",
            updated_at=now,
        )
    ).rowcount


def heartbeat(*, connection: Connection, tokens: Sequence[str], now: dt.datetime) -> int:
    """Renew the heartbeat of the rows still "sending" under ``tokens``."""
    if not tokens:
        return 0
    return connection.execute(
        update(T).where(T.c.claim_token.in_(list(tokens)), T.c.state == OutboxState.SENDING.value)
        .values(heartbeat_at=now)
    ).rowcount


def delivered_to(*, connection: Connection, rows: Sequence[ClaimedRow]) -> dict[str, set[int]]:
    """address id -> the ids among ``rows`` already delivered there (an earlier attempt)."""
    if not rows:
        return {}
    found: dict[str, set[int]] = {}
    query = select(D.c.address_id, D.c.reminder_id).where(
        D.c.reminder_id.in_([row.id for row in rows])
    )
    for address_id, reminder_id in connection.execute(query):
        found.setdefault(address_id, set()).add(reminder_id)
    return found


def record_delivered(
    *, connection: Connection, rows: Sequence[ClaimedRow], address_id: str, label: str,
    now: dt.datetime,
) -> None:
    """``rows`` reached this address: a later attempt skips it (committed by the caller
    right after the call, before the next address is tried)."""
    dialect = connection.dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    connection.execute(
        insert(D).on_conflict_do_nothing(index_elements=["reminder_id", "address_id"]),
        [{"reminder_id": row.id, "address_id": address_id, "label": label[:200],
          "delivered_at": now} for row in rows],
    )


def requeue_addressable(*, session: Session, recipients: Sequence[str], now: dt.datetime) -> int:
    """Rows that failed only because their recipient's tag had no URL, for ``recipients``
    whose tag now has one: pending again, attempts from zero."""
    if not recipients:
        return 0
    return session.execute(
        update(T)
        .where(T.c.state == OutboxState.FAILED.value, T.c.failure_kind == NO_ADDRESS,
               T.c.recipient.in_(list(recipients)))
        .values(state=OutboxState.PENDING.value, failure_kind="", attempts=0,
                next_attempt_at=None, updated_at=now,
                last_error="its Apprise tag has a URL now; sending again")
    ).rowcount
