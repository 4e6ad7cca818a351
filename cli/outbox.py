"""`outbox list|retry`: the messages not (yet) delivered, with their reasons; requeue failed ones."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.common import OutputFormat, console, emit_rows, fail

app = typer.Typer(help="The outbox: what is waiting, failed or sent, and requeueing failed messages.",
                  no_args_is_help=True)
# models.reminders.OutboxState's values, spelled out so that `--help` does not import the
# database layer (tests/cli/test_lazy_imports.py checks they agree).
STATES = ["pending", "sending", "sent", "failed", "cancelled"]
COLUMNS = ["id", "recipient", "kind", "about", "stage", "state", "attempts", "reason",
           "next_attempt_at", "updated_at"]


def register(main: typer.Typer) -> None:
    main.add_typer(app, name="outbox")


@app.command("list")
def outbox_list(
    state: Annotated[list[str] | None, typer.Option(help=f"Only this state; repeatable ({', '.join(STATES)}). Default: pending, sending, failed.")] = None,
    recipient: Annotated[str | None, typer.Option(help="Only this recipient.")] = None,
    fmt: Annotated[OutputFormat, typer.Option("--format", help="table, json or csv")] = OutputFormat.table,
) -> None:
    """List outbox rows with why each is where it is (no URL is stored, so none is shown)."""
    from sqlalchemy import select

    from models.db import session_scope
    from models.reminders import OutboxState, Reminder

    wanted = state or [OutboxState.PENDING, OutboxState.SENDING, OutboxState.FAILED]
    unknown = [s for s in wanted if s not in STATES]
    if unknown:
        raise fail(f"--state {', '.join(unknown)}: unknown; known: {', '.join(STATES)}", code=2)
    query = select(Reminder).where(Reminder.state.in_(list(wanted)))  # type: ignore[attr-defined]
    if recipient:
        query = query.where(Reminder.recipient == recipient)
    with session_scope() as session:
        rows = [{
            "id": r.id, "recipient": r.recipient, "kind": r.message_kind, "about": r.obligation_key,
            "stage": r.stage, "state": r.state, "attempts": r.attempts, "reason": r.last_error,
            "next_attempt_at": r.next_attempt_at, "updated_at": r.updated_at,
        } for r in session.execute(query.order_by(Reminder.recipient, Reminder.id)).scalars()]
    emit_rows(rows, fmt, COLUMNS, title=f"{len(rows)} outbox row(s) ({', '.join(wanted)})")


@app.command("retry")
def outbox_retry(
    recipient: Annotated[str | None, typer.Option(help="Only this recipient's failed rows.")] = None,
    row: Annotated[list[int] | None, typer.Option("--id", help="Only this row (see `outbox list`); repeatable.")] = None,
) -> None:
    """Put failed rows back to pending (attempts from zero); the next `remind` sends them.

    Rows superseded or acknowledged meanwhile are cancelled by the next run instead.
    """
    from sqlalchemy import update

    from models.db import session_scope
    from models.reminders import OutboxState, Reminder
    from notifications.dispatch import utc_now

    now = utc_now()
    table = Reminder.__table__  # type: ignore[attr-defined]
    statement = update(table).where(table.c.state == OutboxState.FAILED.value)
    if recipient:
        statement = statement.where(table.c.recipient == recipient)
    if row:
        statement = statement.where(table.c.id.in_(row))
    with session_scope() as session:
        count = session.execute(statement.values(
            state=OutboxState.PENDING.value, attempts=0, failure_kind="", next_attempt_at=None,
            claim_token=None, updated_at=now, last_error="requeued by hand (`outbox retry`)",
        )).rowcount
    if not count:
        raise fail("no failed row matches (see `ccm-tracker outbox list --state failed`)")
    console.print(f"{count} failed row(s) back to pending; the next `ccm-tracker remind` sends them.",
                  highlight=False)
