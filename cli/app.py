"""The ``ccm-tracker`` command. Each group of commands lives in its own module."""

from __future__ import annotations

import copy
import gc
import os
import sys
from collections.abc import Sequence
from typing import Annotated

import typer
from typer._click import exceptions as click_errors  # Typer vendors its own click
from typer.core import TyperGroup

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


class _Root(TyperGroup):
    """The root command: every refusal of every subcommand ends here, once.

    A ``UserError`` (errors.py), a database that cannot be used, or a file that cannot be
    written becomes ``error: <sentence>`` on stderr and its exit code (1 refused, 2 usage).
    Typer's test runner goes through this too, so tests see what a person sees.
    """

    def make_context(self, info_name, args, parent=None, **extra):  # type: ignore[no-untyped-def]
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click_errors.UsageError as error:
            _refuse_usage(error)

    def invoke(self, ctx):  # type: ignore[no-untyped-def]
        try:
            return super().invoke(ctx)
        except click_errors.UsageError as error:
            _refuse_usage(error)
        except UserError as error:
            _say_error(error)
            raise typer.Exit(error.exit_code) from None
        except Exception as error:
            known = None if _debugging() else _known_problem(error)
            if known is None:
                raise
            _say_error(known)
            raise typer.Exit(known.exit_code) from None

    def format_commands(self, ctx, formatter) -> None:  # type: ignore[no-untyped-def]
        """`--help` lists the commands by what a person is doing (PANELS), in plain text: Typer's
        Rich help costs ~0.4 s of imports, more than the rest of `--help` together."""
        shown = [(name, cmd) for name in self.list_commands(ctx)
                 if (cmd := self.get_command(ctx, name)) is not None and not cmd.hidden]
        if not shown:
            return
        limit = formatter.width - 6 - max(len(name) for name, _ in shown)
        for panel in [*PANELS, "Other"]:
            rows = [(name, cmd.get_short_help_str(limit)) for name, cmd in shown
                    if _PANEL_OF.get(name, "Other") == panel]
            if rows:
                with formatter.section(panel):
                    formatter.write_dl(rows)


app = typer.Typer(
    cls=_Root,
    name="ccm-tracker",
    help=(
        "Deadlines and tasks of the Convention on Cluster Munitions (CCM) and the Mine Ban "
        "Convention (APMBC).\n\n"
        "Start with `ccm-tracker init` (creates the database and loads the bundled registry), "
        "then `ccm-tracker deadlines` to see what is due and what is overdue."
    ),
    no_args_is_help=True,
    rich_markup_mode=None,  # plain help: see _Root.format_commands
    pretty_exceptions_enable=False,
)



@app.callback()
def _root(
    treaty: Annotated[
        str | None,
        typer.Option("--treaty", metavar="ccm|apmbc|all",
                     help="The convention the command works on; without it, each command's own default "
                          "(ccm for deadlines, facts, states and record; all for the scan, reminders, "
                          "letters, outreach, money and meetings)."),
    ] = None,
) -> None:
    # the root --treaty: the default of the command that follows (cli.common.chosen_treaties)
    from cli.common import set_root_treaty

    set_root_treaty(treaty)


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
    "Reminders and invites": ("recipients", "remind", "ack", "acks", "page", "invite", "outbox"),
    "Calendar feeds": ("subscribe", "subscriptions", "serve", "feed"),
    "Operations (Prefect)": ("ops",),
}
_PANEL_OF = {name: panel for panel, names in PANELS.items() for name in names}


def build_command(args: Sequence[str] | None = None):  # type: ignore[no-untyped-def]
    """The click command tree of `app`, with help that names values, not Python types.

    Given the command line's arguments, only the command (or group) they name is built:
    Typer builds every command's parameters from its signature when the tree is made
    (~45 commands, more time than some commands take to run). The root then holds that one
    command, and answers it exactly as the whole tree does; with no command named, a root
    option other than ``--treaty`` (``--help``), or a name that is no command (click's
    "No such command", with its suggestion), the whole tree is built.
    """
    from typer.main import get_command

    from cli.helpformat import plain_metavars

    return plain_metavars(get_command(_app_for(_command_named(args))))


def _command_named(args: Sequence[str] | None) -> str | None:
    """The command the arguments run (the first one after the root's ``--treaty VALUE``),
    or None when they start with anything else."""
    rest = list(args or ())
    while rest:
        first = rest.pop(0)
        if first == "--treaty":
            rest = rest[1:]
        elif not first.startswith("--treaty="):
            return None if first.startswith("-") else first
    return None


def _app_for(name: str | None) -> typer.Typer:
    """``app`` with only the command or group ``name`` (``app`` itself when it has none)."""
    from typer.main import get_command_name

    commands = [c for c in app.registered_commands
                if name == (c.name or get_command_name(c.callback.__name__))]  # type: ignore[union-attr]
    groups = [g for g in app.registered_groups if name is not None and g.name == name]
    if not commands and not groups:
        return app
    part = copy.copy(app)
    part.registered_commands, part.registered_groups = commands, groups
    return part


def main(argv: list[str] | None = None) -> None:
    """The `ccm-tracker` entry point. Refusals are reported by the root command (``_Root``:
    exit 1 refused, 2 usage; click's own usage errors are 2 as well); what reaches this point
    is a bug: one line, and ``CCM_DEBUG=1`` shows the traceback (exit 70).
    """
    if argv is None:  # the process's entry point (the `ccm-tracker` script), not a test
        pause_collector()
    args = sys.argv[1:] if argv is None else argv
    try:
        build_command(args)(args=args, prog_name="ccm-tracker")
    except UserError as error:  # raised before a command ran (building the command tree)
        _say_error(error)
        raise SystemExit(error.exit_code) from None
    except Exception as error:
        if _debugging():
            raise
        first = (str(error).strip().splitlines() or [""])[0]
        typer.secho(
            f"error: unexpected {type(error).__name__}: {first} "
            "(a bug; rerun with CCM_DEBUG=1 for the traceback)",
            err=True, fg="red",
        )
        raise SystemExit(EXIT_BUG) from None


def pause_collector(seconds: float = 1.0) -> None:
    """Turn Python's cyclic garbage collector off for the first ``seconds`` of a command.

    A command's start builds some 10^5 objects (imports, table classes, the command tree)
    and no cyclic garbage worth collecting; the collector's passes over them cost ~10% of a
    read command's time (bench/cli.py). A command still running after ``seconds`` (the feed
    server, the runner, a dispatch, a large import) gets the collector back from a timer
    thread, so memory stays bounded however long it runs.
    """
    if not gc.isenabled():
        return
    import threading

    gc.disable()
    timer = threading.Timer(seconds, gc.enable)
    timer.daemon = True
    timer.start()


def _debugging() -> bool:
    return os.environ.get("CCM_DEBUG", "").strip() not in ("", "0")


def _say_error(error: UserError) -> None:
    for line in error.details():
        typer.echo(line, err=True)
    typer.secho(f"error: {error}", err=True, fg="red")


def _settings_problem(error: Exception) -> UserError | None:
    """A CCM_* variable pydantic-settings could not read (``settings.Settings``), as one
    sentence naming each variable and why; None for any other error."""
    import re

    from pydantic import ValidationError
    from pydantic_settings import SettingsError

    if isinstance(error, SettingsError):  # a value pydantic-settings could not decode
        named = re.search(r'field "(\w+)"', str(error))
        field = named.group(1) if named else "?"
        return UserError(f"CCM_{field.upper()}: cannot be read (a list or other structured "
                         "value is written as JSON) (fix or unset the variable)")
    if not isinstance(error, ValidationError) or error.title != "Settings":
        return None
    parts = []
    for problem in error.errors():
        field = str(problem["loc"][0]) if problem.get("loc") else "?"
        value = problem.get("input")
        shown = f" {value!r}" if isinstance(value, str) else ""
        reason = problem["msg"].removeprefix("Value error, ")
        parts.append(f"CCM_{field.upper()}{shown}: {reason}")
    return UserError("; ".join(parts) + " (fix or unset the variable)")


def _refuse_usage(error: click_errors.UsageError) -> None:
    """Click's usage errors (a bad value, an unknown option, a missing argument) as one line,
    ``error: <message> (see <command> --help)``, exit 2, like every other refusal. A group
    typed without a command still shows its help (click's ``NoArgsIsHelpError``)."""
    if isinstance(error, click_errors.NoArgsIsHelpError):
        raise error
    message = " ".join(error.format_message().split())
    where = error.ctx.command_path if error.ctx is not None else "ccm-tracker"
    typer.secho(f"error: {message} (see {where} --help)", err=True, fg="red")
    raise typer.Exit(error.exit_code)


def _known_problem(error: Exception) -> UserError | None:
    """Database and file errors a person can fix, as a sentence; None for anything else."""
    if isinstance(error, OSError) and error.filename:
        reason = error.strerror or type(error).__name__
        return UserError(f"cannot use {error.filename}: {reason}")
    settings_problem = _settings_problem(error)
    if settings_problem is not None:
        return settings_problem
    if type(error).__module__.startswith("sqlalchemy"):
        from sqlalchemy.exc import ArgumentError, NoSuchModuleError

        if isinstance(error, NoSuchModuleError | ArgumentError):
            from models.db import shown_url
            from settings import get_settings

            url = get_settings().database_url
            try:
                named = f"CCM_DATABASE_URL: {shown_url(url)!r}"
            except ArgumentError:  # not a URL at all ('foo'): shown unless it may hold a password
                named = "CCM_DATABASE_URL" if "@" in url else f"CCM_DATABASE_URL: {url!r}"
            return UserError(
                f"{named} is not a database URL the tracker can use "
                "(sqlite:///PATH or postgresql+psycopg://USER@HOST/NAME)")
        from models.db import database_problem

        return database_problem(error)
    return None
