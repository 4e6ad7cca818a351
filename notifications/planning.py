"""Planning: obligations x recipients x policy -> outbox rows (idempotent), and cancelling
pending rows that no longer deserve a message (met, superseded by a new version, acknowledged).

``plan`` is pure; ``plan_reminders`` loads, plans and enqueues in one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from sqlalchemy import and_, exists, or_, select, update
from sqlmodel import Session

from models.reminders import Acknowledgement, OutboxState, Recipient, Reminder
from models.tables import Obligation
from notifications.outbox import OutboxMessage, enqueue
from notifications.policy import ReminderPolicy, current_stage
from notifications.recipients import Audience, audiences
from rules.obligations import QUIET, Registers, current_status

# Done (met, met_late, not_needed), history, retired, or unverified (nobody knows it is
# late: the digest says once "no record of receipt; import the register").
QUIET_STATUSES = tuple(sorted(QUIET))


@dataclass(frozen=True, slots=True)
class Candidate:
    """An obligation as the planner sees it on a day: its key and version (the outbox
    row's identity), and its kind, State, due date and status on that day."""

    key: str
    version: int
    kind: str
    state: str | None
    due: dt.date
    status: str
    met_on: dt.date | None = None
    theme: str | None = None  # an action item's owner theme


# obligation key -> [(recipient or "*", acknowledged version, snoozed until or None)]
AckIndex = Mapping[str, Sequence[tuple[str, int, dt.date | None]]]


def acknowledged(acks: AckIndex, key: str, recipient: str, version: int, as_of: dt.date) -> bool:
    """Acknowledged for this version (and not a snooze that has ended by ``as_of``)."""
    return any(
        who in ("*", recipient) and version <= upto and (until is None or as_of < until)
        for who, upto, until in acks.get(key, ())
    )


def plan(
    candidates: Iterable[Candidate],
    recipients: Sequence[Audience],
    acks: AckIndex,
    as_of: dt.date,
    policy: ReminderPolicy,
) -> list[OutboxMessage]:
    """The reminders due on ``as_of``: for each open or overdue obligation, its current stage
    (missed stages collapsed), for each recipient who follows it and has not acknowledged."""
    planned: list[OutboxMessage] = []
    for obligation in candidates:
        if obligation.status in QUIET_STATUSES or obligation.met_on is not None:
            continue
        stage = current_stage(obligation.kind, obligation.due, as_of, policy)
        if stage is None:
            continue
        for audience in recipients:
            if audience.stopped:
                continue
            if not audience.follows(obligation.kind, obligation.state, obligation.theme):
                continue
            if acknowledged(acks, obligation.key, audience.name, obligation.version, as_of):
                continue
            planned.append(
                OutboxMessage(
                    kind="reminder",
                    key=obligation.key,
                    version=obligation.version,
                    stage=stage.name,
                    recipient=audience.name,
                    send_on=stage.send_on,
                    due=obligation.due,
                )
            )
    return planned


@dataclass
class PlanResult:
    candidates: int  # obligation x recipient pairs considered
    planned: list[OutboxMessage]
    new_rows: int
    cancelled: int


def load_candidates(
    *,
    session: Session,
    as_of: dt.date | None = None,
    treaties: Sequence[str] | None = None,
    today: dt.date | None = None,
) -> list[Candidate]:
    """The obligations of ``treaties`` (codes; every convention's when None) as on
    ``as_of``, each status as on that day, by its own convention's tracking-since day and
    registers.

    The stored table is the answer for ``today``: every writer refreshes it as of today
    (``models.refresh``), so on that day (and with no ``today``, or no ``as_of``) its rows
    are read, a status stored on an earlier day derived again (an open row may be overdue
    by now). On any other day it is not (a withdrawal that has taken effect by then, a
    report received after then): the obligations are computed from the facts in effect on
    ``as_of`` (``candidates_on``), as ``deadlines --as-of`` computes them."""
    if as_of is not None and today is not None and as_of != today:
        return candidates_on(session=session, as_of=as_of, treaties=treaties)
    o = Obligation.__table__  # type: ignore[attr-defined]
    query = select(o.c.key, o.c.version, o.c.kind, o.c.state, o.c.due, o.c.status, o.c.met_on,
                   o.c.theme, o.c.treaty)
    if treaties is not None:
        query = query.where(o.c.treaty.in_(list(treaties)))
    rows = session.execute(query).all()
    if as_of is None:
        return [Candidate(*row[:-1]) for row in rows]
    tracking = _tracking(session)
    found = []
    for *fields, treaty in rows:
        candidate = Candidate(*fields)
        since, kept = tracking.get(treaty, tracking["CCM"])
        found.append(replace(candidate, status=current_status(
            candidate.status, candidate.kind, candidate.due, as_of, since, kept)))
    return found


def candidates_on(
    *, session: Session, as_of: dt.date, treaties: Sequence[str] | None = None
) -> list[Candidate]:
    """The obligations the facts in effect on ``as_of`` imply (``compute_obligations``, as
    ``deadlines --as-of`` lists them), each with its status on that day (the one
    ``deadlines`` shows). An obligation that does not exist on that day is not here.

    The version is the stored row's when the due dates agree, else the one a refresh on
    ``as_of`` would give it (the stored one plus one when the date moved, 1 for a key not
    stored yet): the outbox identity of the same message a run on that day would plan."""
    from models.obligations import compute_obligations
    from rules.treaties import TREATIES, treaty_of_key
    from settings import get_settings

    chosen = tuple(t for code, t in TREATIES.items() if treaties is None or code in treaties)
    found = compute_obligations(session=session, as_of=as_of, settings=get_settings(),
                                committee=True, treaties=chosen)
    o = Obligation.__table__  # type: ignore[attr-defined]
    stored = {key: (version, due) for key, version, due in session.execute(
        select(o.c.key, o.c.version, o.c.due).where(o.c.treaty.in_([t.code for t in chosen]))
    ).all()}
    tracking = _tracking(session)
    candidates = []
    for obligation in found:
        since, kept = tracking.get(treaty_of_key(obligation.key), tracking["CCM"])
        version, due = stored.get(obligation.key, (0, obligation.due))
        candidates.append(Candidate(
            key=obligation.key,
            version=version if version and due == obligation.due else version + 1,
            kind=obligation.kind,
            state=obligation.state,
            due=obligation.due,
            status=obligation.status(as_of, since, kept).value,
            met_on=obligation.met_on,
            theme=obligation.theme,
        ))
    return candidates


def _tracking(session: Session) -> dict[str, tuple[dt.date | None, Registers]]:
    """Each convention's code -> (its tracking-since day, its registers kept)."""
    from models.treaty_facts import registers_by_treaty, tracking_by_treaty
    from settings import get_settings

    since = tracking_by_treaty(session=session, override=get_settings().tracking_since)
    kept = registers_by_treaty(session=session)
    return {code: (day, kept.get(code, {})) for code, day in since.items()}


def load_acks(*, session: Session) -> dict[str, list[tuple[str, int, dt.date | None]]]:
    index: dict[str, list[tuple[str, int, dt.date | None]]] = {}
    for row in session.execute(select(Acknowledgement)).scalars():
        index.setdefault(row.obligation_key, []).append((row.recipient, row.version, row.until))
    return index


def plan_reminders(
    *,
    session: Session,
    as_of: dt.date,
    policy: ReminderPolicy,
    now: dt.datetime,
    write: bool = True,
    treaties: Sequence[str] | None = None,
    today: dt.date | None = None,
) -> PlanResult:
    """Plan the reminders due on ``as_of`` (and cancel stale ones); with ``treaties``
    (codes), only for those conventions' obligations. The obligations are those of
    ``as_of`` (``load_candidates``): the stored rows when ``as_of`` is ``today`` (by default
    the day in Geneva at ``now``), else those the facts in effect on ``as_of`` imply."""
    candidates = load_candidates(session=session, as_of=as_of, treaties=treaties,
                                 today=today or geneva_day(now))
    recipients = audiences(session=session)
    planned = plan(candidates, recipients, load_acks(session=session), as_of, policy)
    if not write:
        return PlanResult(len(candidates) * len(recipients), planned, 0, 0)
    cancelled = cancel_stale(session=session, now=now, as_of=as_of)
    new_rows = enqueue(session=session, messages=planned, now=now)
    return PlanResult(len(candidates) * len(recipients), planned, new_rows, cancelled)


def geneva_day(now: dt.datetime) -> dt.date:
    """The day in Geneva at the moment ``now`` (timezone-aware): the stored rows' day."""
    from zoneinfo import ZoneInfo

    from rules.dates import GENEVA

    return now.astimezone(ZoneInfo(GENEVA)).date()


def cancel_stale(
    *, session: Session, now: dt.datetime, key: str | None = None, as_of: dt.date | None = None
) -> int:
    """Pending reminders whose obligation is met, history, or at a newer version, that were
    acknowledged (or snoozed past ``as_of``), or whose recipient stopped their reminders,
    become "cancelled" with the reason; they are never sent."""
    r = Reminder.__table__  # type: ignore[attr-defined]
    o = Obligation.__table__  # type: ignore[attr-defined]
    a = Acknowledgement.__table__  # type: ignore[attr-defined]
    p = Recipient.__table__  # type: ignore[attr-defined]
    today = as_of or now.date()
    base = [r.c.state == OutboxState.PENDING.value, r.c.message_kind == "reminder"]
    if key is not None:
        base.append(r.c.obligation_key == key)
    reasons = {
        "obligation met or no longer tracked": exists().where(
            o.c.key == r.c.obligation_key,
            or_(o.c.status.in_(QUIET_STATUSES), o.c.met_on.is_not(None)),
        ),
        "superseded: the due date moved (new version)": exists().where(
            o.c.key == r.c.obligation_key, o.c.version != r.c.version
        ),
        "acknowledged": exists().where(
            a.c.obligation_key == r.c.obligation_key,
            a.c.version >= r.c.version,
            or_(a.c.recipient == "*", a.c.recipient == r.c.recipient),
            or_(a.c.until.is_(None), a.c.until > today),
        ),
        "the recipient stopped their reminders": exists().where(
            p.c.name == r.c.recipient, p.c.stopped_at.is_not(None)
        ),
    }
    total = 0
    for reason, condition in reasons.items():
        total += session.execute(
            update(r)
            .where(and_(*base, condition))
            .values(state=OutboxState.CANCELLED.value, last_error=reason, updated_at=now)
        ).rowcount
    return total
