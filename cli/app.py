"""The ``ccm-tracker`` command. Each group of commands lives in its own module."""

from __future__ import annotations

import typer

from cli import deadlines, record, registry, scan

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
app.add_typer(record.app, name="record")


def main() -> None:
    app()
