"""`demo load`: the Committee's minutes of 7 December 2016 as tracked work."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from sqlmodel import select

from cli.announcing import announce_many
from cli.common import console, fail
from models.db import migrate, session_scope
from models.demo import DEMO_FILE, DemoRejected, load_demo
from models.importer import BUNDLED_DIR, BUNDLED_FILES, import_csv
from models.tables import State
from settings import get_settings

app = typer.Typer(help="The demo dataset (Committee minutes of 7 December 2016).", no_args_is_help=True)


@app.command("load")
def load(
    file: Annotated[Path, typer.Option(help="The demo file (TOML).")] = DEMO_FILE,
) -> None:
    """Load the demo: meetings, themes and coordinators, targets, action items, the Victim
    Assistance output, the reported shortfall and ILLUSTRATIVE invoices (marked as such).

    Creates the database and loads the bundled registry first if needed. Loading twice
    changes nothing the second time.
    """
    actor = get_settings().actor
    migrate()
    try:
        with session_scope() as session:
            if session.exec(select(State).limit(1)).first() is None:
                for name in BUNDLED_FILES:
                    import_csv(BUNDLED_DIR / name, session=session, actor=actor, display=f"data/{name}")
                console.print("loaded the bundled registry first (it was empty)")
            result = load_demo(session=session, path=file, actor=actor)
    except DemoRejected as rejected:
        raise fail(f"{rejected}; nothing was loaded")
    for section, counts in result.counts.items():
        summary = ", ".join(f"{n} {change}" for change, n in sorted(counts.items()))
        console.print(f"{section}: {summary}", highlight=False)
    if not result.changed:
        console.print("already loaded: nothing changed")
        return
    announce_many(
        [(f"ccm.meeting.{slug}", "ccm.meeting.scheduled", {"demo": True}) for slug in result.new_meetings]
        + [(f"ccm.state.{iso3}", "ccm.demo.loaded", {"demo": True}) for iso3 in sorted(result.touched_states)]
    )
