"""Dispatch: reclaim rows of dead dispatchers, then for each ready group claim, send, record.

One group is one recipient's reminders (one digest, one Apprise call, so a failure is
pinned on the right person) or one invite. Each step is its own short transaction: the
claim ("sending") is committed before the call, the outcome after it.

Retry layer (the only one): the outbox itself. A transient failure puts the rows back to
"pending" with ``next_attempt_at`` = now + backoff (policy ``retry.backoff_minutes``); the
next run whose clock has passed it claims them again. Prefect task retries stay off, and
Apprise's own ``?retry=`` is not used by us.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlmodel import Session

from models.db import get_engine, session_scope
from models.reminders import Reminder
from models.tables import Obligation, State
from notifications.channels.apprise_channel import AppriseChannel
from notifications.errors import (
    DeliveryError,
    PermanentDeliveryError,
    TransientDeliveryError,
    scrub,
)
from notifications.outbox import (
    Group,
    claim,
    ready_condition,
    ready_groups,
    reclaim_stale,
    record_failure,
    record_sent,
)
from notifications.policy import ReminderPolicy
from notifications.recipients import audiences
from notifications.senders import SENDERS, ObligationDetails, Outgoing, Sender

log = logging.getLogger("ccm.reminders")


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class Delivery:
    recipient: str
    kind: str
    items: list[tuple[str, str]]  # (obligation key, stage)
    outcome: str  # sent | pending (will retry) | failed
    error: str = ""


@dataclass
class DispatchResult:
    reclaimed: int = 0
    deliveries: list[Delivery] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(len(d.items) for d in self.deliveries if d.outcome == outcome)


def dispatch(
    *,
    url: str | None,
    as_of: dt.date,
    policy: ReminderPolicy,
    channel: AppriseChannel,
    clock: Callable[[], dt.datetime] = utc_now,
    senders: Mapping[str, Sender] = SENDERS,
) -> DispatchResult:
    result = DispatchResult()
    with session_scope(url) as session:
        lease = dt.timedelta(minutes=policy.sending_lease_minutes)
        result.reclaimed = reclaim_stale(session=session, now=clock(), lease=lease)
    with session_scope(url) as session:
        groups = ready_groups(session=session, as_of=as_of, now=clock())
        people = {audience.name: audience for audience in audiences(session=session)}
        # One query for the wording of every ready row (read-only: a claim decides who sends).
        details = ready_details(session, as_of=as_of, now=clock())
    # One session for the run, committed after each claim and after each outcome: the claim is
    # on disk before the call, the outcome right after it (a new session per step cost more
    # than the statements).
    with Session(get_engine(url), expire_on_commit=False) as session, channel.keep_connections():
        for group in groups:
            result.deliveries.extend(
                _deliver(session, group, as_of, policy, people, details, channel, senders, clock)
            )
    return result


def _deliver(session, group, as_of, policy, people, details, channel, senders, clock) -> list[Delivery]:  # type: ignore[no-untyped-def]
    """Claim one group, send it, record the outcome; each step committed."""
    try:
        rows = claim(session=session, group=group, as_of=as_of, now=clock())
        session.commit()
    except BaseException:
        session.rollback()
        raise
    if not rows:
        return []  # another dispatcher claimed them first
    missing = {row.obligation_key for row in rows} - details.keys()
    if missing:  # a row that became ready after the first query
        details.update(obligation_details(session, missing))
        session.commit()
    delivery = Delivery(group.recipient, group.kind, [(r.obligation_key, r.stage) for r in rows], "sent")
    try:
        _send(group, rows, as_of, people, details, channel, senders)
    except Exception as error:  # noqa: BLE001 - every failure is recorded, none lost
        typed = error if isinstance(error, DeliveryError) else TransientDeliveryError(
            f"{type(error).__name__}: {scrub(str(error))}"
        )
        states = record_failure(session=session, rows=rows, error=typed, now=clock(), policy=policy)
        session.commit()
        delivery.outcome = "failed" if "failed" in states else "pending"
        delivery.error = typed.reason
        log.warning("reminders to %s not delivered (%s): %s", group.recipient, delivery.outcome, typed.reason)
    else:
        record_sent(session=session, rows=rows, now=clock())
        session.commit()
        log.info("sent %d %s item(s) to %s", len(rows), group.kind, group.recipient)
    return [delivery]


def _send(group: Group, rows, as_of, people, details, channel, senders) -> None:  # type: ignore[no-untyped-def]
    audience = people.get(group.recipient)
    if audience is None:
        raise PermanentDeliveryError(f"recipient {group.recipient!r} no longer exists")
    sender = senders.get(group.kind)
    if sender is None:
        raise PermanentDeliveryError(f"no sender for message kind {group.kind!r}")
    sender(channel, Outgoing(audience, rows, as_of, details))


def ready_details(session: Session, *, as_of: dt.date, now: dt.datetime) -> dict[str, ObligationDetails]:
    keys = set(session.execute(select(Reminder.obligation_key).where(ready_condition(as_of, now))).scalars())
    return obligation_details(session, keys)


def obligation_details(session: Session, keys: set[str]) -> dict[str, ObligationDetails]:
    ordered = sorted(keys)
    found: dict[str, ObligationDetails] = {}
    for start in range(0, len(ordered), 1000):  # stay far below SQLite's bound-parameter limit
        rows = session.execute(
            select(Obligation.key, Obligation.state, State.name, Obligation.kind,
                   Obligation.period, Obligation.note)
            .outerjoin(State, State.iso3 == Obligation.state)
            .where(Obligation.key.in_(ordered[start : start + 1000]))
        ).all()
        for key, state, name, kind, period, note in rows:
            found[key] = ObligationDetails(state, name, kind, period, note)
    return found


__all__ = ["Delivery", "DispatchResult", "Reminder", "dispatch", "utc_now"]
