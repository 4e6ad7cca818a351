"""How `--help` names the values it asks for: ``ISO3``, ``YYYY-MM-DD``, ``table|json|csv``,
``N``, never a Python type (``<str>``, ``<list[str]>``, ``<bool>``, ``{iso3}``).

Typer 0.29 prints an option's type annotation unless it has a metavar, prints ``<bool>`` for
flags and ``--help`` (a metavar is not consulted there), and wraps required arguments in braces
on the usage line. ``plain_metavars`` walks the built command tree once and gives every
parameter our help classes, which print: the declared metavar; else ``YYYY-MM-DD`` for
an option named for a day (``DATE_OPTIONS``); else the choices; ``N`` for
an integer; ``FILE`` for a path; ``TEXT`` otherwise; nothing for a flag. Arguments show
their name in capitals (``ISO3``, ``[SLUG]`` when optional).
"""

from __future__ import annotations

from typing import Any

from typer import _click
from typer.core import TyperArgument, TyperOption


class _Option(TyperOption):
    def display_type_rich(self, ctx: _click.Context) -> str | None:
        return metavar_of(self, ctx)

    def make_metavar(self, ctx: _click.Context | None = None) -> str:  # plain (non-Rich) help
        return metavar_of(self, ctx) or ""


class _Argument(TyperArgument):
    def display_type_rich(self, ctx: _click.Context) -> str | None:
        return None

    def _usage_display_name(self) -> str:
        name = self.display_name_raw.upper()
        name = name if self.required else f"[{name}]"
        return name + ("..." if self.nargs != 1 else "")

    def _rich_display_name(self) -> str:
        return self.display_name_raw.upper() + ("..." if self.nargs != 1 else "")


# Options that take a day, whatever module declares them: they all read YYYY-MM-DD.
DATE_OPTIONS = frozenset({"--as-of", "--on", "--due", "--until", "--tracking-since",
                          "--received", "--date", "--issued"})


def metavar_of(param: Any, ctx: _click.Context | None) -> str | None:
    if param.metavar is not None:
        return str(param.metavar) or None
    if getattr(param, "is_flag", False) or getattr(param, "is_bool_flag", False):
        return None
    if DATE_OPTIONS.intersection(param.opts):
        return "YYYY-MM-DD"
    desc = getattr(param, "type_descriptor", None)
    if desc is not None and desc.is_choice and desc.choices:
        return "|".join(str(getattr(c, "value", c)) for c in desc.choices)
    if desc is not None and desc.is_path:
        return "PATH"
    annotation = getattr(desc, "annotation", None)
    if annotation is int:
        return "N"
    return "TEXT"


def plain_metavars(command: Any) -> Any:
    """Give every parameter of ``command`` and its subcommands (help options included) the
    help classes above; returns ``command``."""
    if hasattr(command, "rich_markup_mode"):
        command.rich_markup_mode = None  # plain help everywhere (sub-apps default to Rich)
    for param in command.params:
        if type(param) is TyperOption:
            param.__class__ = _Option
        elif type(param) is TyperArgument:
            param.__class__ = _Argument
    help_option = command.get_help_option(_click.Context(command))
    if help_option is not None and type(help_option) is TyperOption:
        help_option.__class__ = _Option
    for sub in getattr(command, "commands", {}).values():
        plain_metavars(sub)
    return command
