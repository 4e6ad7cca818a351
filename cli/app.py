"""The ``ccm-tracker`` command. Each group of commands lives in its own module."""

from __future__ import annotations

import os

import typer

from cli import (
    actions,
    deadlines,
    demo,
    facts,
    feeds,
    invite,
    meetings,
    money,
    ops,
    outbox,
    outreach,
    record,
    registry,
    remind,
    scan,
)
from errors import EXIT_BUG, UserError

app = typer.Typer(
    name="ccm-tracker",
    help=(
        "Deadlines and tasks of the Convention on Cluster Munitions.\n\n"
        "Start with `ccm-tracker init` (creates the database and loads the bundled registry), "
        "then `ccm-tracker deadlines` to see what is due and what is overdue."
    ),
    no_args_is_help=True,
    rich_markup_mode="markdown",
    pretty_exceptions_enable=False,
)

registry.register(app)
deadlines.register(app)
scan.register(app)
facts.register(app)
feeds.register(app)
app.add_typer(record.app, name="record")
# issue 6: meetings, money and the coordinators' own work
app.add_typer(meetings.app, name="meetings")
app.add_typer(money.app, name="money")
app.add_typer(actions.app, name="action")
app.add_typer(actions.themes_app, name="themes")
app.add_typer(demo.app, name="demo")
outreach.register(app)
remind.register(app)
outbox.register(app)
invite.register(app)
app.add_typer(ops.app, name="ops")


# `--help` groups the commands by what a person is doing.
PANELS = {
    "Registry and deadlines": ("init", "import", "states", "facts", "deadlines", "record", "scan"),
    "The Committee's work": ("meetings", "money", "action", "themes", "outreach", "demo"),
    "Reminders and invites": ("recipients", "remind", "ack", "invite", "outbox"),
    "Calendar feeds": ("subscribe", "subscriptions", "serve", "feed"),
    "Operations (Prefect)": ("ops",),
}
_PANEL_OF = {name: panel for panel, names in PANELS.items() for name in names}
for _info in [*app.registered_commands, *app.registered_groups]:
    _info.rich_help_panel = _PANEL_OF.get(_info.name or "", "Other")


def main(argv: list[str] | None = None) -> None:
    """The `ccm-tracker` entry point: every refusal is caught here, once.

    A ``UserError`` (errors.py) prints ``error: <sentence>`` and exits with its code (1 refused,
    2 usage); a database that cannot be used or a file that cannot be written says which and
    why (exit 1); anything else is a bug: one line, and ``CCM_DEBUG=1`` shows the traceback
    (exit 70). Click's own usage errors keep exit 2.
    """
    try:
        app(args=argv, prog_name="ccm-tracker")
    except UserError as error:
        _say_error(error)
        raise SystemExit(error.exit_code) from None
    except Exception as error:
        if os.environ.get("CCM_DEBUG", "").strip() not in ("", "0"):
            raise
        known = _known_problem(error)
        if known is not None:
            _say_error(known)
            raise SystemExit(known.exit_code) from None
        first = (str(error).strip().splitlines() or [""])[0]
        typer.secho(
            f"error: unexpected {type(error).__name__}: {first} "
            "(a bug; rerun with CCM_DEBUG=1 for the traceback)",
            err=True, fg="red",
        )
        raise SystemExit(EXIT_BUG) from None


def _say_error(error: UserError) -> None:
    for line in error.details():
        typer.echo(line, err=True)
    typer.secho(f"error: {error}", err=True, fg="red")


def _known_problem(error: Exception) -> UserError | None:
    """Database and file errors a person can fix, as a sentence; None for anything else."""
    if isinstance(error, OSError) and error.filename:
        reason = error.strerror or type(error).__name__
        return UserError(f"cannot use {error.filename}: {reason}")
    if type(error).__module__.startswith("sqlalchemy"):
        from models.db import database_problem

        return database_problem(error)
    return None
