"""The ``ccm-tracker`` command. Each group of commands lives in its own module."""

from __future__ import annotations

import typer
from sqlalchemy.exc import OperationalError, ProgrammingError

from cli import (
    actions,
    deadlines,
    demo,
    facts,
    feeds,
    invite,
    meetings,
    money,
    outreach,
    record,
    registry,
    remind,
    scan,
)
from settings import get_settings

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
invite.register(app)


# `--help` groups the commands by what a person is doing.
PANELS = {
    "Registry and deadlines": ("init", "import", "states", "facts", "deadlines", "record", "scan"),
    "The Committee's work": ("meetings", "money", "action", "themes", "outreach", "demo"),
    "Reminders and invites": ("recipients", "remind", "ack", "invite"),
    "Calendar feeds": ("subscribe", "subscriptions", "serve", "feed"),
}
_PANEL_OF = {name: panel for panel, names in PANELS.items() for name in names}
for _info in [*app.registered_commands, *app.registered_groups]:
    _info.rich_help_panel = _PANEL_OF.get(_info.name or "", "Other")


def main() -> None:
    try:
        app()
    except (OperationalError, ProgrammingError) as error:
        text = str(error.orig)
        if "no such table" in text or "does not exist" in text:
            typer.secho(
                f"error: the database at {get_settings().database_url} is not set up "
                f"({text.splitlines()[0]}): run `ccm-tracker init` first",
                err=True,
                fg="red",
            )
            raise SystemExit(2) from None
        raise
