"""Dispatch: reclaim rows of dead dispatchers, then claim ready groups in batches and send
them one by one, recording each outcome.

One group is one recipient's reminders (one digest, one Apprise call, so a failure is
pinned on the right person) or one invite. Up to ``CLAIM_BATCH`` groups are claimed
("sending") by one UPDATE, committed before the first call; each outcome is committed right
after its call. So a dispatcher that dies leaves at most one message whose fate is unknown
(the one in flight); the rest of its batch was never sent and is reclaimed after the lease.

Two ways a batch is cut short, both giving the unsent rest back ("released": pending again at
once, the attempt not counted):
- a stop is asked for (SIGTERM, Ctrl-C, a Prefect cancellation; ``notifications/stopping.py``):
  the message in flight is finished and recorded, the rest given back, then the stop goes on:
  no duplicate;
- the batch's claim is older than half the lease (a very slow server): the rest is claimed
  afresh, so this run never sends a row that another dispatcher may have reclaimed.

Retry layer (the only one): the outbox itself. A transient failure puts the rows back to
"pending" with ``next_attempt_at`` = now + backoff (policy ``retry.backoff_minutes``); the
next run whose clock has passed it claims them again. Prefect task retries stay off, and
Apprise's own ``?retry=`` is not used by us.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Self, TypeVar

from sqlalchemy import Connection, and_, func, select
from sqlmodel import Session

from models.db import get_engine, session_scope
from models.reminders import Reminder
from models.tables import Obligation, State
from models.treaty_facts import reports_register_not_imported
from models.treaty_tables import TreatyParty
from notifications.channels.apprise_channel import AppriseChannel
from notifications.errors import DeliveryError, PermanentDeliveryError, TransientDeliveryError
from notifications.links import Links
from notifications.outbox import (
    EVERY_TREATY,
    NO_ADDRESS,
    ClaimedRow,
    Group,
    claim,
    delivered_to,
    heartbeat,
    ready_condition,
    ready_groups,
    reclaim_stale,
    record_delivered,
    record_failure,
    record_sent,
    release,
    requeue_addressable,
    treaty_keys,
)
from notifications.policy import ReminderPolicy
from notifications.recipients import Audience, audiences
from notifications.senders import SENDERS, ObligationDetails, Outgoing, Sender
from notifications.stopping import StopRequest, stop_requests
from rules.wording import Addresses
from settings import Settings, get_settings

log = logging.getLogger("ccm.reminders")
T = TypeVar("T")


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
    requeued: int = 0  # failed for want of a URL, and their tag has one now
    deliveries: list[Delivery] = field(default_factory=list)
    released: int = 0  # claimed, then given back unsent (a stop was asked for, or a slow batch)

    def count(self, outcome: str) -> int:
        return sum(len(d.items) for d in self.deliveries if d.outcome == outcome)


CLAIM_BATCH = 50  # groups claimed by one UPDATE (one commit), then sent one by one


def dispatch(
    *,
    url: str | None,
    as_of: dt.date,
    policy: ReminderPolicy,
    channel: AppriseChannel,
    clock: Callable[[], dt.datetime] = utc_now,
    senders: Mapping[str, Sender] = SENDERS,
    settings: Settings | None = None,
    treaty: str | None = None,
) -> DispatchResult:
    """Send the reminders (and invites) ready on ``as_of``; with ``treaty`` (a code), only
    the reminders of that convention's obligations: the others stay pending for a run that
    covers them."""
    settings = settings or get_settings()
    keys = treaty_keys(treaty)
    result = DispatchResult()
    lease = dt.timedelta(minutes=policy.sending_lease_minutes)
    with session_scope(url) as session:
        result.reclaimed = reclaim_stale(session=session, now=clock(), lease=lease)
        people = {audience.name: audience for audience in audiences(session=session)}
        result.requeued = requeue_addressable(
            session=session, now=clock(),
            recipients=[a.name for a in people.values() if channel.addresses(a.tag)],
        )
        links = Links.of(session=session, settings=settings)
        not_imported = tuple(reports_register_not_imported(session=session))
    with session_scope(url) as session:
        groups = ready_groups(session=session, as_of=as_of, now=clock(), keys=keys)
        # One query for the wording of every ready row (read-only: a claim decides who sends).
        details = ready_details(session, as_of=as_of, now=clock(), keys=keys)
    run = _Run(as_of, policy, people, details, channel, senders, clock, links,
               Addresses.of(settings), keys, not_imported)
    with stop_requests() as stop:
        stop.run(lambda: _send_ready(url, groups, run, stop, lease, result))
    return result


def _send_ready(
    url: str | None,
    groups: list[Group],
    run: _Run,
    stop: StopRequest,
    lease: dt.timedelta,
    result: DispatchResult,
) -> None:
    """Claim the groups in batches and deliver them one by one, until done or asked to stop."""
    clock = run.clock
    # One database connection for the run, committed after each claim and after each outcome:
    # the claim is on disk before the call, the outcome right after it (an ORM session, or a
    # new one per step, cost more than the statements).
    with get_engine(url).connect() as connection, run.channel.keep_connections(), \
            _Heartbeat(url, clock) as beat:
        waiting = deque(groups)
        while waiting and not stop.requested:
            batch = [waiting.popleft() for _ in range(min(CLAIM_BATCH, len(waiting)))]
            claimed = _committed(connection, claim, groups=batch, as_of=run.as_of, now=clock(), keys=run.keys)
            beat.claimed([rows[0].claim_token for rows in claimed.values()][:1], clock())
            for index, (group, rows) in enumerate(claimed.items()):
                # A claim whose heartbeat is older than half the lease (the database did not
                # take our heartbeats) could be taken for a dead dispatcher's: give the rest
                # of the batch back and claim it afresh.
                too_old = index > 0 and clock() - beat.last > lease / 2
                if stop.requested or too_old:
                    unsent = list(claimed.items())[index:]
                    rows_unsent = [row for _, group_rows in unsent for row in group_rows]
                    _committed(connection, release, rows=rows_unsent, now=clock())
                    result.released += len(rows_unsent)
                    if too_old and not stop.requested:
                        waiting.extendleft(reversed([g for g, _ in unsent]))
                    break
                try:
                    result.deliveries.append(run.deliver(connection, group, rows))
                except Exception:
                    # Not a delivery error: a fault of ours. Give this group and the rest of
                    # the batch back unsent (not an attempt), then fail the run loudly.
                    unsent = [row for _, group_rows in list(claimed.items())[index:] for row in group_rows]
                    _committed(connection, release, rows=unsent, now=clock())
                    log.exception("dispatch stopped by an unexpected error while sending to %s; "
                                  "%d row(s) given back unsent", group.recipient, len(unsent))
                    raise
    if stop.requested:
        log.warning("stop asked for (%s): %d reminder(s) sent, %d claimed and given back unsent; "
                    "stopping now", stop.reason, result.count("sent"), result.released)


HEARTBEAT_SECONDS = 20.0  # how often a running dispatcher renews its claim (lease: 2 min)


class _Heartbeat:
    """Renews the current claim's ``heartbeat_at`` every ``HEARTBEAT_SECONDS`` from a thread
    with its own connection, so a live dispatcher keeps its rows however slow a send is, and
    a killed one's rows are reclaimable one lease after its last beat."""

    def __init__(self, url: str | None, clock: Callable[[], dt.datetime],
                 interval: float | None = None) -> None:
        self.url, self.clock, self.interval = url, clock, interval or HEARTBEAT_SECONDS
        self.tokens: list[str] = []
        self.last = clock()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="ccm-heartbeat", daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def claimed(self, tokens: list[str], at: dt.datetime) -> None:
        with self._lock:
            self.tokens, self.last = tokens, at

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            with self._lock:
                tokens = list(self.tokens)
            now = self.clock()
            try:
                with get_engine(self.url).connect() as connection:
                    heartbeat(connection=connection, tokens=tokens, now=now)
                    connection.commit()
            except Exception as error:  # noqa: BLE001 - a missed beat; the batch check notices
                log.warning("heartbeat not recorded (%s); the claim ages", type(error).__name__)
                continue
            with self._lock:
                if self.tokens == tokens:
                    self.last = now


def _committed(connection: Connection, step: Callable[..., T], **arguments: Any) -> T:
    """``step(connection=connection, **arguments)``, committed (rolled back and re-raised on
    error)."""
    try:
        value = step(connection=connection, **arguments)
        connection.commit()
    except BaseException:
        connection.rollback()
        raise
    return value


@dataclass
class _Run:
    as_of: dt.date
    policy: ReminderPolicy
    people: Mapping[str, Audience]
    details: dict[str, ObligationDetails]
    channel: AppriseChannel
    senders: Mapping[str, Sender]
    clock: Callable[[], dt.datetime]
    links: Links
    addresses: Addresses
    keys: str = EVERY_TREATY  # the obligation keys whose reminders this run sends
    not_imported: tuple[str, ...] = ()

    def deliver(self, connection: Connection, group: Group, rows: list[ClaimedRow]) -> Delivery:
        """Send one claimed group to each address of its tag that does not have it yet, then
        record the outcome (committed). Raises only for a fault that is not a delivery error."""
        # A reminder row that became ready after the first query (invites carry their own text).
        missing = {row.obligation_key for row in rows if row.message_kind == "reminder"} - self.details.keys()
        if missing:
            self.details.update(_committed(connection, obligation_details, keys=missing))
        delivery = Delivery(group.recipient, group.kind, [(r.obligation_key, r.stage) for r in rows], "sent")
        errors, failure_kind = self._send(connection, group, rows)
        if errors:
            reason = "; ".join(e.reason for e in errors)
            typed = (PermanentDeliveryError if all(e.permanent for e in errors) else TransientDeliveryError)(reason)
            states = _committed(connection, record_failure, rows=rows, error=typed, now=self.clock(),
                                policy=self.policy, failure_kind=failure_kind)
            delivery.outcome = "failed" if "failed" in states else "pending"
            delivery.error = typed.reason
            log.warning("reminders to %s not delivered (%s): %s", group.recipient, delivery.outcome,
                        ascii(typed.reason)[1:-1])
        else:
            _committed(connection, record_sent, rows=rows, now=self.clock())
            log.info("sent %d %s item(s) to %s", len(rows), group.kind, group.recipient)
        return delivery

    def _send(self, connection: Connection, group: Group, rows: list[ClaimedRow]) -> tuple[list[DeliveryError], str]:
        """One letter per address that still lacks some of ``rows``; each success recorded
        (committed) before the next address. Returns the delivery errors and a failure kind."""
        audience = self.people.get(group.recipient)
        if audience is None:
            return [PermanentDeliveryError(f"recipient {group.recipient!r} no longer exists")], ""
        sender = self.senders.get(group.kind)
        if sender is None:
            return [PermanentDeliveryError(f"no sender for message kind {group.kind!r}")], ""
        tag = audience.tag
        if group.kind == "invite" and self.channel.has_tag(f"{tag}-invite"):
            tag = f"{tag}-invite"
        addresses = self.channel.addresses(tag)
        if not addresses:
            where = self.channel.config_path or "the Apprise config"
            return [PermanentDeliveryError(
                f"no Apprise URL is tagged {tag!r} in {where}; it is sent once one is "
                "(`ccm-tracker recipients check`)")], NO_ADDRESS
        done = delivered_to(connection=connection, rows=rows)
        errors: list[DeliveryError] = []
        for address in addresses:
            todo = [row for row in rows if row.id not in done.get(address.id, set())]
            if not todo:
                continue
            letter = sender(Outgoing(audience, todo, self.as_of, self.details, self.links, self.addresses,
                                     self.not_imported))
            try:
                self.channel.deliver(address, letter, recipient=audience.name, now=self.clock())
            except DeliveryError as error:
                errors.append(error)
                continue
            _committed(connection, record_delivered, rows=todo, address_id=address.id,
                       label=address.label, now=self.clock())
        return errors, ""


# An obligation's wording fields, with its State's name (the CCM registry's, else the name the
# obligation's convention holds: an APMBC party outside the CCM is named, not shown by code).
_DETAILS = select(
    Obligation.key, Obligation.state, func.coalesce(State.name, TreatyParty.name), Obligation.kind,
    Obligation.period, Obligation.note,
).outerjoin(State, State.iso3 == Obligation.state).outerjoin(
    TreatyParty, and_(TreatyParty.iso3 == Obligation.state, TreatyParty.treaty == Obligation.treaty))


def ready_details(
    session: Session, *, as_of: dt.date, now: dt.datetime, keys: str = EVERY_TREATY
) -> dict[str, ObligationDetails]:
    """The wording of every obligation with a ready outbox row, in one query."""
    ready = select(Reminder.obligation_key).where(ready_condition(as_of, now, keys))
    return _details(session.execute(_DETAILS.where(Obligation.key.in_(ready))))


def obligation_details(*, connection: Connection, keys: set[str]) -> dict[str, ObligationDetails]:
    ordered = sorted(keys)
    found: dict[str, ObligationDetails] = {}
    for start in range(0, len(ordered), 1000):  # stay far below SQLite's bound-parameter limit
        found.update(_details(connection.execute(
            _DETAILS.where(Obligation.key.in_(ordered[start : start + 1000]))
        )))
    return found


def _details(rows: Iterable[Any]) -> dict[str, ObligationDetails]:
    return {key: ObligationDetails(state, name, kind, period, note)
            for key, state, name, kind, period, note in rows}


__all__ = ["Delivery", "DispatchResult", "Reminder", "dispatch", "utc_now"]
