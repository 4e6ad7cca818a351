"""One reminder run, callable without Prefect: the CLI and the flow both call these.

``run_reminders``: plan (idempotent), then dispatch. ``preview``: what would go to whom,
nothing written. ``acknowledge``: stop reminders for an obligation. ``outbox_rows``: the
table the flow leaves as an artifact.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlmodel import Session

from errors import UserError
from models.db import session_scope
from models.reminders import Acknowledgement, OutboxState, Recipient, Reminder
from models.tables import Obligation
from notifications.channels.apprise_channel import AppriseChannel
from notifications.dispatch import DispatchResult, dispatch, utc_now
from notifications.outbox import treaty_keys
from notifications.planning import PlanResult, cancel_stale, plan_reminders
from notifications.policy import ReminderPolicy
from notifications.policy_file import load_policy
from rules.wording import title
from settings import Settings, get_settings


@dataclass
class RunReport:
    as_of: dt.date
    plan: PlanResult
    dispatch: DispatchResult = field(default_factory=DispatchResult)


def channel_from(settings: Settings, *, strict: bool = True) -> AppriseChannel:
    """The run's channel; raises ``ConfigurationError`` when Apprise dropped a config entry
    (``strict=False``: load anyway and list them in ``channel.problems()``). For a demo
    database (``demo load``) always the local outbox folder: the demo never reaches real
    recipients."""
    from models.demo import is_demo_database

    with session_scope(settings.database_url) as session:
        demo = is_demo_database(session=session)
    return AppriseChannel(
        None if demo else settings.apprise_config, settings.outbox_dir,
        from_name=settings.email_from_name, local_outbox_tags=settings.local_outbox_tags,
        breaker=settings.host_timeout_breaker, smtp_timeout=settings.smtp_timeout_seconds,
        strict=strict,
    )


def run_reminders(
    *,
    as_of: dt.date,
    settings: Settings | None = None,
    policy: ReminderPolicy | None = None,
    channel: AppriseChannel | None = None,
    clock: Callable[[], dt.datetime] = utc_now,
    treaty: str | None = None,
    today: dt.date | None = None,
) -> RunReport:
    """Plan, then send, the reminders due on ``as_of``: every convention's, or with
    ``treaty`` (a code, ``CCM``/``APMBC``) only that convention's (the others' stay
    pending for a run that covers them; invites go either way). ``today``: the day the
    stored obligations answer for (default: the day in Geneva at ``clock()``); on another
    day the plan computes the obligations from the facts in effect on ``as_of``."""
    settings = settings or get_settings()
    policy = policy or load_policy(settings.reminder_policy)
    channel = channel or channel_from(settings)  # a bad config fails here, before any claim
    planned = plan_step(as_of=as_of, settings=settings, policy=policy, now=clock(), treaty=treaty,
                        today=today)
    sent = dispatch(url=settings.database_url, as_of=as_of, policy=policy, channel=channel,
                    clock=clock, settings=settings, treaty=treaty)
    return RunReport(as_of, planned, sent)


def plan_step(
    *, as_of: dt.date, settings: Settings, policy: ReminderPolicy, now: dt.datetime,
    treaty: str | None = None, today: dt.date | None = None,
) -> PlanResult:
    with session_scope(settings.database_url) as session:
        return plan_reminders(session=session, as_of=as_of, policy=policy, now=now,
                              treaties=None if treaty is None else [treaty.upper()], today=today)


@dataclass(frozen=True)
class PreviewLine:
    recipient: str
    key: str
    stage: str
    due: dt.date | None
    send_on: dt.date
    why: str  # "new" (would be planned now) or "pending" (already in the outbox, ready)


def preview(
    *, as_of: dt.date, settings: Settings | None = None, policy: ReminderPolicy | None = None,
    treaty: str | None = None, today: dt.date | None = None,
) -> list[PreviewLine]:
    """What a run on ``as_of`` (of ``treaty``'s reminders only, when given) would send, to
    whom, planned from the obligations of ``as_of`` as the run would (``today`` as in
    ``run_reminders``). Writes nothing."""
    settings = settings or get_settings()
    policy = policy or load_policy(settings.reminder_policy)
    with session_scope(settings.database_url) as session:
        planned = plan_reminders(
            session=session, as_of=as_of, policy=policy, now=utc_now(), write=False,
            treaties=None if treaty is None else [treaty.upper()], today=today,
        ).planned
        known = set(session.execute(
            select(Reminder.obligation_key, Reminder.version, Reminder.stage, Reminder.recipient)
        ).all())
        ready = session.execute(
            select(Reminder).where(Reminder.state == OutboxState.PENDING, Reminder.send_on <= as_of,
                                   Reminder.obligation_key.like(treaty_keys(treaty)))  # type: ignore[attr-defined]
        ).scalars().all()
        lines = [
            PreviewLine(r.recipient, r.obligation_key, r.stage, r.due, r.send_on, "pending")
            for r in ready
        ]
    lines += [
        PreviewLine(m.recipient, m.key, m.stage, m.due, m.send_on, "new")
        for m in planned
        if (m.key, m.version, m.stage, m.recipient) not in known
    ]
    return sorted(lines, key=lambda line: (line.recipient, line.due or line.send_on, line.key))


class AcknowledgeError(UserError, ValueError):
    pass


def acknowledge(
    *, session: Session, key: str, recipient: str | None, actor: str, now: dt.datetime,
    until: dt.date | None = None,
) -> int:
    """Stop reminders for obligation ``key`` (its current version) for ``recipient`` or for
    everyone; with ``until``, only until that day (a snooze). Pending rows are cancelled at
    once. Returns how many were cancelled."""
    obligation = session.get(Obligation, key)
    if obligation is None:
        raise AcknowledgeError(f"no obligation with key {key!r} (see `ccm-tracker deadlines --format json`)")
    who = recipient or "*"
    if recipient is not None and session.get(Recipient, recipient) is None:
        raise AcknowledgeError(f"no recipient named {recipient!r}")
    existing = session.execute(
        select(Acknowledgement).where(Acknowledgement.obligation_key == key, Acknowledgement.recipient == who)
    ).scalars().first()
    if existing is None:
        session.add(Acknowledgement(obligation_key=key, recipient=who, version=obligation.version,
                                    at=now, actor=actor, until=until))
    else:
        existing.version, existing.at, existing.actor, existing.until = obligation.version, now, actor, until
        session.add(existing)
    session.flush()
    return cancel_stale(session=session, now=now, key=key)


def stop_reminders(*, session: Session, recipient: str, now: dt.datetime) -> int:
    """The recipient asked to stop (RFC 8058 one-click): nothing more is planned for them and
    their pending rows are cancelled. Returns how many were cancelled. Idempotent."""
    row = session.get(Recipient, recipient)
    if row is None:
        raise AcknowledgeError(f"no recipient named {recipient!r}")
    if row.stopped_at is None:
        row.stopped_at = now
        session.add(row)
        session.flush()
    return cancel_stale(session=session, now=now)


ACK_COLUMNS = ["recipient", "obligation", "state", "what", "version", "at", "until", "actor"]


def acknowledgements(*, session: Session) -> list[dict[str, object]]:
    """Who acknowledged (or snoozed) what, when, and until when; newest first."""
    rows = session.execute(
        select(Acknowledgement, Obligation.state, Obligation.kind, Obligation.period)
        .outerjoin(Obligation, Obligation.key == Acknowledgement.obligation_key)
        .order_by(Acknowledgement.at.desc(), Acknowledgement.id)  # type: ignore[attr-defined]
    ).all()
    return [{
        "recipient": "everyone" if ack.recipient == "*" else ack.recipient,
        "obligation": ack.obligation_key, "state": state,
        "what": title(kind, period) if kind else "", "version": ack.version,
        "at": ack.at, "until": ack.until, "actor": ack.actor,
    } for ack, state, kind, period in rows]


OUTBOX_COLUMNS = ["recipient", "obligation_key", "stage", "due", "state", "attempts", "last_error", "next_attempt_at"]


def outbox_rows(*, session: Session, since: dt.datetime | None = None) -> list[dict[str, object]]:
    """Rows worth showing: everything not yet sent (pending, sending, failed), and what was
    sent or cancelled since ``since``. No URL is stored, so none can be shown."""
    rows = session.execute(select(Reminder).order_by(Reminder.recipient, Reminder.id)).scalars().all()
    shown = []
    for row in rows:
        recent = since is not None and row.updated_at >= since
        if row.state in (OutboxState.PENDING, OutboxState.SENDING, OutboxState.FAILED) or recent:
            shown.append({column: getattr(row, column) for column in OUTBOX_COLUMNS})
    return shown
