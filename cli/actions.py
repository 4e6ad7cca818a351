"""`action add|done|list`: the coordinators' action items, and `themes list`."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.common import (
    DATE,
    AsOf,
    Format,
    On,
    OutputFormat,
    emit_rows,
    parse_date,
    today_in_geneva,
)
from rules.themes import THEMES

STATUSES = ("open", "done", "dropped")

app = typer.Typer(help="The coordinators' action items.", no_args_is_help=True)
themes_app = typer.Typer(help="The conventions' themes, their coordinators and targets.", no_args_is_help=True)


@app.command("add")
def add(
    slug: Annotated[str, typer.Argument(metavar="SLUG", help="A short stable name, e.g. va-model-letter.")],
    title: Annotated[str, typer.Option(metavar="TEXT", help="What is to be done.")],
    theme: Annotated[str, typer.Option(metavar="THEME", help=f"Owner theme: {', '.join(THEMES)}.")],
    due: Annotated[str | None, typer.Option(metavar=DATE, help="Due day (none: undated, no reminder).")] = None,
    target: Annotated[list[str] | None, typer.Option(metavar="ISO3", help="A target State (ISO3); repeatable.")] = None,
    owner: Annotated[str, typer.Option(help="Who carries it, in words.")] = "",
    source: Annotated[str, typer.Option(help="Where it was decided.")] = "",
) -> None:
    """Add an action item owned by a theme; with --due it becomes an `action_item` obligation."""
    from cli.choices import check_choice, check_states
    from models.coordination import add_action_item
    from models.db import session_scope
    from models.refresh import written_revision
    from settings import get_settings

    day = parse_date(due, "--due")
    check_choice("--theme", theme, THEMES)
    with session_scope() as session:
        targets = check_states("--target", target, session=session)
        item, _ = add_action_item(session=session, slug=slug, title=title, owner_theme=theme,
                                  owner=owner, due=day, target_states=targets,
                                  source=source, actor=get_settings().actor)
        revision = written_revision(session)
    typer.echo(f"added: {item.slug} [{theme}] due {day or 'undated'}")
    _announce(item.slug, [t.upper() for t in target or []], "ccm.action.added", revision)


@app.command("done")
def done(
    slug: Annotated[str, typer.Argument(metavar="SLUG", help="The item's slug.")],
    on: On = None,
    drop: Annotated[bool, typer.Option("--drop", help="Dropped rather than done.")] = False,
    source: Annotated[str, typer.Option(help="Where this is recorded.")] = "",
) -> None:
    """Mark an action item done (or dropped) on a day: its reminders stop."""
    from models.coordination import action_items, close_action_item
    from models.db import session_scope
    from models.refresh import written_revision
    from settings import get_settings

    day = parse_date(on, "--on") or today_in_geneva()
    status = "dropped" if drop else "done"
    with session_scope() as session:
        item = close_action_item(session=session, slug=slug, status=status, on=day,
                                 source=source, actor=get_settings().actor)
        found = {i.slug: t for i, t in action_items(session=session)}[item.slug]
        revision = written_revision(session)
    typer.echo(f"{status}: {slug} on {day}")
    _announce(slug, found, f"ccm.action.{status}", revision)


@app.command("list")
def list_command(
    theme: Annotated[str | None, typer.Option(metavar="THEME", help="Only this theme.")] = None,
    status: Annotated[str | None, typer.Option(metavar="|".join(STATUSES), help="Only open, done or dropped.")] = None,
    fmt: Format = OutputFormat.table,
) -> None:
    """Every action item with its theme, due day, targets and status."""
    from cli.choices import check_choice
    from models.coordination import action_items
    from models.db import session_scope

    check_choice("--theme", theme, THEMES)
    check_choice("--status", status, STATUSES)
    with session_scope() as session:
        rows = [
            {"slug": i.slug, "theme": i.owner_theme, "title": i.title, "owner": i.owner,
             "due": i.due or "undated", "targets": " ".join(t), "status": i.status,
             "closed_on": i.closed_on, "source": i.source}
            for i, t in action_items(session=session)
        ]
    rows = [r for r in rows if (not theme or r["theme"] == theme) and (not status or r["status"] == status)]
    columns = ["slug", "theme", "due", "status", "targets", "title"]
    emit_rows(rows, fmt, columns if fmt is OutputFormat.table else [*columns, "owner", "closed_on", "source"],
              title=f"{len(rows)} action items")


@themes_app.command("list")
def themes_list(
    as_of: AsOf = None,
    fmt: Format = OutputFormat.table,
) -> None:
    """Every convention's themes (the CCM's eight, then the APMBC's own: cooperative
    compliance), each with the conventions it belongs to, its coordinator States, target
    States and outputs' progress."""
    from models.coordination import coordinators, output_facts, targets
    from models.db import session_scope
    from rules.action_items import progress_on
    from rules.themes import every_theme

    day = parse_date(as_of, "--as-of") or today_in_geneva()
    with session_scope() as session:
        coordinating = coordinators(session=session)
        targeted = targets(session=session)
        outputs = output_facts(session=session)
    rows = [
        {"theme": theme, "conventions": " ".join(conventions),
         "coordinators": " ".join(coordinating.get(theme, [])),
         # a target under another convention than the CCM says which ("KHM (APMBC)")
         "targets": " ".join(t.iso3 if t.treaty == "CCM" else f"{t.iso3} ({t.treaty})"
                             for t in targeted if t.theme == theme),
         "outputs": "; ".join(f"{o.slug}: {progress_on(o, day)} of {o.target_count} by {o.deadline}"
                              for o in outputs if o.theme == theme)}
        for theme, conventions in every_theme()
    ]
    emit_rows(rows, fmt, ["theme", "conventions", "coordinators", "targets", "outputs"],
              title="Themes")


@themes_app.command("add-target")
def add_target_command(
    iso3: Annotated[str, typer.Argument(metavar="ISO3", help="The target State (ISO3; need not be a party).")],
    theme: Annotated[str, typer.Option(metavar="THEME", help="The theme that targets it (the convention's themes).")],
    source: Annotated[str, typer.Option(metavar="TEXT", help="Where the target was set (minutes, a decision).")],
    ask: Annotated[str, typer.Option(metavar="TEXT", help="What the theme asks of the State (default: the theme's own words).")] = "",
    treaty: Annotated[
        str | None,
        typer.Option("--treaty", metavar="ccm|apmbc", help="The convention the outreach is under (default: ccm)."),
    ] = None,
    as_of: AsOf = None,
) -> None:
    """Target a State under one convention's theme (one row per convention, theme and State).

    A universalization target must not be a party to that convention on `--as-of` (a CCM
    party may be an APMBC universalization target, and the other way round). A State
    targeted by more than one (convention, theme) pair shows in `outreach --overlaps`.
    """
    from cli.choices import check_choice, check_country, check_for_treaties
    from cli.common import fail, one_treaty
    from models.coordination import CoordinationRejected, add_target
    from models.db import session_scope
    from settings import get_settings

    chosen = one_treaty(treaty, "a target is under one convention")
    found = (chosen,)
    check_for_treaties("--theme", [theme], found, what="theme")  # the other convention's: say so
    check_choice("--theme", theme, chosen.themes)
    if not source.strip():
        raise fail("--source: say where the target was set (minutes, a decision)", code=2)
    day = parse_date(as_of, "--as-of") or today_in_geneva()
    try:
        with session_scope() as session:
            code = check_country("ISO3", iso3, session=session)
            change = add_target(session=session, theme=theme, iso3=code, ask=ask, source=source,
                                actor=get_settings().actor, treaty=chosen, as_of=day)
    except CoordinationRejected as rejected:
        raise fail(f"ISO3: {rejected}", code=2) from None
    typer.echo(f"{change}: {code} targeted by {theme} under the {chosen.code}")


def _announce(slug: str, states: list[str], what: str, revision: int | None) -> None:
    from cli.announcing import announce

    resource = f"ccm.state.{states[0]}" if len(states) == 1 else f"ccm.action.{slug}"
    announce(resource, what, {"action": slug}, revision=revision)
