"""`subscribe`, `subscriptions list|revoke|rotate`, `serve` and `feed export`: iCal feeds."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cli.common import Format, OutputFormat, a_path, emit_rows, fail, say

if TYPE_CHECKING:
    from models.subscriptions import Subscription

subscriptions_app = typer.Typer(help="List, revoke or rotate feed subscriptions.", no_args_is_help=True)
feed_app = typer.Typer(help="Write feeds as files.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command("subscribe")(subscribe)
    app.add_typer(subscriptions_app, name="subscriptions")
    app.command("serve")(serve)
    app.add_typer(feed_app, name="feed")


def feed_url(token: str) -> str:
    from settings import get_settings

    return f"{get_settings().feed_base_url.rstrip('/')}/feeds/{token}.ics"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def subscribe(
    name: Annotated[str, typer.Argument(metavar="NAME", help='Who the feed is for, e.g. "Transparency coordinator".')],
    theme: Annotated[list[str] | None, typer.Option(metavar="THEME", help="Only this theme; repeatable.")] = None,
    state: Annotated[list[str] | None, typer.Option(metavar="ISO3", help="Only this State (ISO3); repeatable.")] = None,
    kind: Annotated[list[str] | None, typer.Option(metavar="KIND", help="Only this kind (e.g. art7_annual, or meeting); repeatable.")] = None,
    alarms: Annotated[bool, typer.Option("--alarms", help="Add reminders (VALARMs) to the events.")] = False,
) -> None:
    """Make a feed subscription and print its secret URL (shown once: keep it)."""
    from cli.choices import check_choices, check_states
    from models.db import session_scope
    from models.subscriptions import MEETING_KIND, create_subscription
    from rules.themes import KIND_THEMES, THEMES
    from rules.treaties import TREATIES
    from settings import get_settings

    settings = get_settings()
    if not name.strip():
        from errors import UsageError

        raise UsageError("NAME: a subscription needs a name (who the feed is for)")
    themes = check_choices("--theme", theme, THEMES)
    kinds = check_choices("--kind", kind, (*KIND_THEMES, MEETING_KIND))
    with session_scope() as session:
        # a feed holds every convention's deadlines: a State of any registry (THA: APMBC only)
        states = check_states("--state", state, session=session, treaties=tuple(TREATIES.values()))
        _, token = create_subscription(
            session=session, name=name, themes=themes, states=states, kinds=kinds,
            alarms=alarms, now=_now(), actor=settings.actor,
        )
    typer.echo(feed_url(token))
    say(
        "Paste this URL into Outlook, Google or Apple Calendar (subscribe by URL). It is "
        "shown only once; `ccm-tracker subscriptions rotate` makes a new one.",
        style="dim",
    )


def _row(s: Subscription) -> dict[str, object]:
    return {
        "id": s.id, "name": s.name, "themes": s.themes, "states": s.states, "kinds": s.kinds,
        "alarms": s.alarms, "created": s.created_at, "rotated": s.rotated_at,
        "revoked": s.revoked_at,
    }


@subscriptions_app.command("list")
def list_command(
    all_: Annotated[bool, typer.Option("--all", help="Include revoked subscriptions.")] = False,
    fmt: Format = OutputFormat.table,
) -> None:
    """The subscriptions (their tokens are not stored, so they cannot be shown)."""
    from models.db import session_scope
    from models.subscriptions import list_subscriptions

    with session_scope() as session:
        rows = [_row(s) for s in list_subscriptions(session=session, include_revoked=all_)]
    columns = ["id", "name", "themes", "states", "kinds", "alarms", "created", "rotated", "revoked"]
    emit_rows(rows, fmt, columns, title=f"{len(rows)} subscriptions")


@subscriptions_app.command("revoke")
def revoke_command(
    ref: Annotated[str, typer.Argument(metavar="ID|NAME", help="The subscription's id or exact name.")],
) -> None:
    """Stop a feed: its URL answers 404 from now on."""
    from models.db import session_scope
    from models.subscriptions import revoke_subscription
    from settings import get_settings

    with session_scope() as session:
        found = revoke_subscription(session=session, ref=ref, now=_now(), actor=get_settings().actor)
        typer.echo(f"revoked subscription {found.id} ({found.name})")


@subscriptions_app.command("rotate")
def rotate_command(
    ref: Annotated[str, typer.Argument(metavar="ID|NAME", help="The subscription's id or exact name.")],
) -> None:
    """Give a feed a new secret URL (the old one answers 404) and print it."""
    from models.db import session_scope
    from models.subscriptions import rotate_subscription
    from settings import get_settings

    with session_scope() as session:
        _, token = rotate_subscription(session=session, ref=ref, now=_now(), actor=get_settings().actor)
    typer.echo(feed_url(token))


def serve(
    host: Annotated[str, typer.Option(metavar="ADDRESS", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(metavar="PORT", min=1, max=65535, help="Port to listen on (1-65535).")] = 8000,
) -> None:
    """Serve every subscription's feed at /feeds/TOKEN.ics (and /healthz)."""
    from calendars.server import serve as run
    from models.db import require_database

    require_database()
    _check_listen(host, port)

    run(host, port)


def _check_listen(host: str, port: int) -> None:
    """Refuse, in one sentence, an address the server cannot listen on (a port in use, an
    unknown host, a port below 1024 without privilege) before uvicorn starts: uvicorn logs
    such a failure and exits 3 without saying which."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        family, kind, proto, _, address = infos[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
            probe.bind(address)
    except OSError as error:
        reason = error.strerror or str(error)
        raise fail(f"cannot listen on {host}:{port}: {reason} (--host, --port)") from None


@feed_app.command("export")
def export_command(
    directory: Annotated[Path, typer.Argument(parser=a_path, metavar="FOLDER", help="Folder to write the .ics files into.")],
    subscriptions: Annotated[bool, typer.Option(help="Also write each subscription's feed.")] = True,
) -> None:
    """Write the default feeds (all, one per theme) and the subscriptions' feeds as files."""
    from calendars.export import export_feeds, left_out
    from models.db import session_scope
    from settings import get_settings

    if directory.exists() and not directory.is_dir():
        raise fail(f"FOLDER: {directory} is not a folder (give a folder to write the .ics files into)", code=2)
    with session_scope() as session:
        done = export_feeds(
            session=session, settings=get_settings(), directory=directory, subscriptions=subscriptions
        )
    for item in done:
        state = "written" if item.changed else "unchanged"
        typer.echo(f"{item.path}  {item.events} events  {state}")
    typer.echo(f"{len(done)} feeds in {directory}")
    for skipped in left_out(done):
        typer.echo(f"left out (cannot be rendered): {skipped.uid}: {skipped.reason}", err=True)
