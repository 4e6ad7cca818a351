"""The reminder flow: plan, claim, send, and leave a table of sent / failed / pending.

Thin on purpose: every step is a function in ``notifications`` that runs without Prefect.
Retries: none at the Prefect level (retries=0). The one retry layer is the outbox
(``next_attempt_at`` with backoff, claimed again by a later run): it survives a crash and is
shared by every worker. The deployment runs after the daily scan (see docs/reminders.md).
"""

from __future__ import annotations

import datetime as dt

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE

from clock import today_in_geneva
from models.db import session_scope
from notifications.dispatch import DispatchResult, dispatch, utc_now
from notifications.planning import PlanResult
from notifications.policy import ReminderPolicy
from notifications.policy_file import load_policy
from notifications.service import OUTBOX_COLUMNS, channel_from, outbox_rows, plan_step, preview
from settings import get_settings


@task(retries=0, cache_policy=NO_CACHE)
def plan_task(as_of: dt.date, policy: ReminderPolicy) -> PlanResult:
    return plan_step(as_of=as_of, settings=get_settings(), policy=policy, now=utc_now())


@task(retries=0, cache_policy=NO_CACHE)
def dispatch_task(as_of: dt.date, policy: ReminderPolicy) -> DispatchResult:
    settings = get_settings()
    return dispatch(url=settings.database_url, as_of=as_of, policy=policy, channel=channel_from(settings))


@flow(name="dispatch-reminders", log_prints=False)
def dispatch_reminders(as_of: dt.date | None = None, dry_run: bool = False) -> dict[str, int]:
    logger = get_run_logger()
    day = as_of or today_in_geneva()
    settings = get_settings()
    policy = load_policy(settings.reminder_policy)
    if dry_run:
        lines = preview(as_of=day, settings=settings, policy=policy)
        create_table_artifact(
            key="reminders-dry-run",
            table=[_cells(line.__dict__) for line in lines],
            description=f"Reminders a run on {day.isoformat()} would send (nothing was sent)",
        )
        logger.info("dry run: %d reminder(s) would go to %d recipient(s)",
                    len(lines), len({line.recipient for line in lines}))
        return {"would_send": len(lines)}
    started = utc_now()
    planned = plan_task(day, policy)
    result = dispatch_task(day, policy)
    with session_scope(settings.database_url) as session:
        table = outbox_rows(session=session, since=started)
    create_table_artifact(
        key="reminders",
        table=[_cells({c: row[c] for c in OUTBOX_COLUMNS}) for row in table],
        description=(
            f"Reminders on {day.isoformat()}: {result.count('sent')} sent, "
            f"{result.count('failed')} failed, {result.count('pending')} to retry; "
            "pending/failed rows of earlier runs are listed too"
        ),
    )
    summary = {
        "planned": planned.new_rows,
        "cancelled": planned.cancelled,
        "reclaimed": result.reclaimed,
        "released": result.released,
        "sent": result.count("sent"),
        "failed": result.count("failed"),
        "retrying": result.count("pending"),
    }
    logger.info("reminders: %s", summary)
    if summary["failed"]:
        logger.warning("%d reminder(s) failed for good; see the 'reminders' artifact", summary["failed"])
    return summary


def _cells(row: dict[str, object]) -> dict[str, object]:
    """Artifact cells are JSON: dates and datetimes as ISO text."""
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in row.items()}
