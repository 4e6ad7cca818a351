"""`demo load`: the Committee's minutes of 7 December 2016 as tracked work, in a database of
its own unless told otherwise."""

from __future__ import annotations

import contextlib
import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from cli.announcing import announce_many  # light: flows.events imports Prefect only to send
from cli.common import a_path, console, fail, today_in_geneva

app = typer.Typer(help="The demo dataset (Committee minutes of 7 December 2016).", no_args_is_help=True)


@app.command("load")
def load(
    file: Annotated[Path | None, typer.Option(parser=a_path, metavar="FILE", help="The demo file (TOML; default: the bundled minutes).")] = None,
    into_real: Annotated[
        bool,
        typer.Option(
            "--into-real",
            help="Load into CCM_DATABASE_URL's database although it holds real facts: the "
            "minutes' meetings, themes and action items join them; the illustrative DEMO "
            "invoices are left out.",
        ),
    ] = False,
) -> None:
    """Load the demo: meetings, themes and coordinators, targets, action items, the Victim
    Assistance output, the reported shortfall and ILLUSTRATIVE invoices (marked as such).

    Where: the configured database when it is empty or already the demo's; otherwise a
    database of its own, `ccm-demo.db` beside it, so the demo never mixes with real facts
    (`--into-real` overrides). A demo database sends reminders only to the local outbox
    folder, never to an Apprise config's recipients. Loads the bundled registry first when
    the database is empty. Loading twice changes nothing the second time.
    """
    from sqlmodel import select

    from models.db import migrate, session_scope, shown_url
    from models.demo import DEMO_FILE, DemoRejected, load_demo, mark_demo_database
    from models.importer import APMBC_FILES, BUNDLED_DIR, BUNDLED_FILES, import_csv
    from models.refresh import written_revision
    from models.tables import State
    from models.treaty_facts import ensure_treaty_tracking_since, parties
    from rules.treaties import APMBC
    from settings import get_settings

    file = file or DEMO_FILE
    actor = get_settings().actor
    configured = get_settings().database_url
    url, why = (configured, "") if into_real else _demo_url(configured)
    own = not into_real
    migrate(url)
    try:
        with session_scope(url) as session:
            if own:
                mark_demo_database(session=session)
            if session.exec(select(State).limit(1)).first() is None:
                for name in BUNDLED_FILES:
                    import_csv(BUNDLED_DIR / name, session=session, actor=actor, display=f"data/{name}")
                console.print("loaded the bundled registry first (it was empty)")
            if not parties(session=session, treaty=APMBC):
                # as `init`: the APMBC's participants too, so the demo's letters and targets
                # know who is party to which convention (AFG is party to both)
                ensure_treaty_tracking_since(session=session, treaty=APMBC,
                                             default=dt.date(today_in_geneva().year, 1, 1))
                for name in APMBC_FILES:
                    import_csv(BUNDLED_DIR / name, session=session, actor=actor, display=f"data/{name}")
                console.print("loaded the bundled APMBC registry too (it was empty)")
            result = load_demo(session=session, path=file, actor=actor, illustrative=own)
            revision = written_revision(session)
    except DemoRejected as rejected:
        raise fail(f"{rejected}; nothing was loaded") from None
    for section, counts in result.counts.items():
        summary = ", ".join(f"{n} {change}" for change, n in sorted(counts.items()))
        console.print(f"{section}: {summary}", highlight=False, markup=False)
    if url != configured:
        console.print(
            f"demo loaded into {shown_url(url)}, a database of its own (the one at "
            f"{shown_url(configured)} {why}). To explore it:\n"
            f"  export CCM_DATABASE_URL={url}",
            highlight=False, markup=False,
        )
    if not result.changed:
        console.print("already loaded: nothing changed")
        return
    if own:  # Prefect's deployments work on the real database: nothing to announce to them
        console.print("events: none announced (a demo database)")
        return
    announce_many(
        [(f"ccm.meeting.{slug}", "ccm.meeting.scheduled", {"demo": True}) for slug in result.new_meetings]
        + [(f"ccm.state.{iso3}", "ccm.demo.loaded", {"demo": True}) for iso3 in sorted(result.touched_states)],
        revision=revision,
    )


def _demo_url(configured: str) -> tuple[str, str]:
    """The configured database when it is empty or already the demo's; else ``ccm-demo.db``
    beside it (in the working directory for a server database). With it, what the configured
    database is when the demo goes elsewhere (said after "the one at URL"), else ""."""
    from sqlalchemy.exc import SQLAlchemyError

    from errors import UserError
    from models.db import session_scope, sqlite_path
    from models.demo import DEMO_DATABASE_NAME, holds_real_facts

    path = sqlite_path(configured)
    why = "does not exist yet (`ccm-tracker init` makes it) and was not created"
    if path is None or path.exists():
        # not set up yet, or unreachable: the demo goes to its own file
        why = "could not be read, and was not touched"
        with contextlib.suppress(SQLAlchemyError, UserError), session_scope(configured) as session:
            if not holds_real_facts(session=session):
                return configured, ""
            why = "holds real facts and was not touched"
    folder = path.parent if path is not None else Path.cwd()
    demo = folder / DEMO_DATABASE_NAME
    return (configured, "") if path == demo else (f"sqlite:///{demo}", why)
