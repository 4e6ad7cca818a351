"""The reminder flow: plan, claim, send, and leave a table of sent / failed / pending.

Thin on purpose: every step is a function in ``notifications`` that runs without Prefect.
Retries: none at the Prefect level (retries=0). The one retry layer is the outbox
(``next_attempt_at`` with backoff, claimed again by a later run): it survives a crash and is
shared by every worker. The deployment runs after the daily scan (see docs/reminders.md).

A run with reminders that failed for good ends **Failed**, after its artifact is written, with
a message naming how many and the first reason (the CLI exits 1 for the same run). No flow
retries: a retried run would plan and claim again; the outbox already retries what can be.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run

from clock import today_in_geneva
from flows.preflight import database_problem, failed, one_line
from models.db import session_scope
from notifications.channels.apprise_channel import ConfigurationError
from notifications.dispatch import DispatchResult, dispatch, utc_now
from notifications.planning import PlanResult
from notifications.policy import ReminderPolicy
from notifications.policy_file import PolicyFileError, load_policy
from notifications.service import OUTBOX_COLUMNS, channel_from, outbox_rows, plan_step, preview
from settings import get_settings


@task(retries=0, cache_policy=NO_CACHE)
def plan_task(
    as_of: dt.date, policy: ReminderPolicy, treaty: str | None = None, today: dt.date | None = None
) -> PlanResult:
    return plan_step(as_of=as_of, settings=get_settings(), policy=policy, now=utc_now(), treaty=treaty,
                     today=today)


@task(retries=0, cache_policy=NO_CACHE)
def dispatch_task(as_of: dt.date, policy: ReminderPolicy, treaty: str | None = None) -> DispatchResult:
    settings = get_settings()
    return dispatch(url=settings.database_url, as_of=as_of, policy=policy, channel=channel_from(settings),
                    treaty=treaty)


def reminders_run_name() -> str:
    """``reminders 2026-11-30`` (a dry run: ``reminders 2026-11-30 (dry run)``); the run
    renames itself with its outcome when it ends (``reminders 2026-11-30: 3 failed``)."""
    parameters = flow_run.parameters or {}
    day = parameters.get("as_of") or today_in_geneva()
    day = day.isoformat() if isinstance(day, dt.date) else str(day)
    return f"reminders {day}" + (" (dry run)" if parameters.get("dry_run") else "")


def outcome_name(day: dt.date, summary: dict[str, int]) -> str:
    """The run's final name: what went wrong first, else what was sent."""
    parts = [f"{summary[k]} {label}" for k, label in
             (("failed", "failed"), ("retrying", "to retry")) if summary.get(k)]
    parts = parts or [f"{summary.get('sent', 0)} sent"]
    return f"reminders {day.isoformat()}: {', '.join(parts)}"


def failure_message(result: DispatchResult) -> str | None:
    """One sentence for a run whose reminders failed for good: how many, and the first reason."""
    failures = [d for d in result.deliveries if d.outcome == "failed"]
    if not failures:
        return None
    count = sum(len(d.items) for d in failures)
    people = len({d.recipient for d in failures})
    first = failures[0]
    reason = (first.error or "no reason given").strip().splitlines()[0][:300]
    return (
        f"{count} reminder(s) to {people} recipient(s) failed for good; the first, to "
        f"{first.recipient}: {reason} (the 'reminders' artifact lists them all)."
    )


def _rename(name: str) -> None:
    """Rename this flow run (best effort: a name is not worth failing a run for)."""
    if not flow_run.id:
        return
    try:
        from prefect.client.orchestration import get_client

        with get_client(sync_client=True) as client:
            client.update_flow_run(flow_run.id, name=name)
    except Exception as error:  # noqa: BLE001 - cosmetic; the state and artifact say it all
        get_run_logger().warning("could not rename the run to %r: %s", name, error)


@flow(name="dispatch-reminders", flow_run_name=reminders_run_name, log_prints=False, retries=0)
def dispatch_reminders(
    as_of: dt.date | None = None, dry_run: bool = False, treaty: Literal["all", "ccm", "apmbc"] = "all"
) -> dict[str, int]:
    """Plan and send the reminders due on ``as_of`` (default: today in Geneva); ``dry_run``
    sends nothing and lists what would go; ``treaty`` (as ``ccm-tracker remind --treaty``):
    every convention's reminders, or one convention's. Ends Failed with one sentence when the
    database, the Apprise config or the policy file cannot be used, or when reminders failed
    for good (after the 'reminders' artifact is written)."""
    logger = get_run_logger()
    only = None if treaty == "all" else treaty.upper()
    today = today_in_geneva()  # the day the stored obligations answer for
    day = as_of or today
    settings = get_settings()
    problem = database_problem(settings.database_url)
    if problem:
        return failed(f"no reminders were sent: {problem}")
    try:
        policy = load_policy(settings.reminder_policy)
        channel_from(settings)  # a bad config fails here, before any claim
    except (PolicyFileError, ConfigurationError) as error:
        return failed(f"no reminders were sent: {error}.")
    if dry_run:
        lines = preview(as_of=day, settings=settings, policy=policy, treaty=only, today=today)
        create_table_artifact(
            key="reminders-dry-run",
            table=[_cells(line.__dict__) for line in lines],
            description=f"Reminders a run on {day.isoformat()} would send (nothing was sent)",
        )
        logger.info("dry run: %d reminder(s) would go to %d recipient(s)",
                    len(lines), len({line.recipient for line in lines}))
        return {"would_send": len(lines)}
    started = utc_now()
    try:  # each task logs its own traceback once; the run ends with one line
        planned = plan_task(day, policy, only, today)
        result = dispatch_task(day, policy, only)
    except Exception as error:  # noqa: BLE001
        return failed(f"the reminder run stopped: {one_line(error)} (the outbox keeps what was claimed for a later run)")
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
    _rename(outcome_name(day, summary))
    message = failure_message(result)
    if message:
        return failed(message)
    return summary


def _cells(row: dict[str, object]) -> dict[str, object]:
    """Artifact cells are JSON: dates and datetimes as ISO text."""
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in row.items()}
