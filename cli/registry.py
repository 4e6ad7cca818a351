"""`init`, `import` and `states`: set up the database and load or list the registry."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from cli.common import (
    DATE,
    Format,
    OutputFormat,
    TreatyChoice,
    a_path,
    chosen_treaties,
    emit_rows,
    fail,
    parse_date,
    say,
    today_in_geneva,
)

if TYPE_CHECKING:
    from sqlmodel import Session

    from models.importer import ImportResult

STATUSES = ("party", "signatory", "withdrawn")


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("import")(import_file)
    app.command("states")(states)


def init(
    tracking_since: Annotated[
        str | None,
        typer.Option(
            metavar=DATE,
            help="Obligations due before this day (YYYY-MM-DD) with nothing recorded are history, not "
            "overdue. Default: 1 January of the year of the first `init`; kept afterwards."
        ),
    ] = None,
    registry: Annotated[
        bool, typer.Option(help="Load the bundled registry of real CCM facts when it is empty.")
    ] = True,
    default_recipient: Annotated[
        bool,
        typer.Option(
            help="When there is no recipient yet, add `isu` (Apprise tag `isu`) following "
            "everything, so the first reminders have somewhere to go (the local outbox "
            "folder until CCM_APPRISE_CONFIG names a config)."
        ),
    ] = True,
) -> None:
    """Create or upgrade the database, and load the bundled registry on first use.

    Safe to run again: migrations already applied and facts already loaded are skipped.
    The only command that creates a database: CCM_DATABASE_URL names it, else
    `ccm-tracker.db` in the working directory.
    """
    from sqlmodel import select

    from models.db import migrate, session_scope, shown_url
    from models.importer import APMBC_FILES, BUNDLED_DIR, BUNDLED_FILES
    from models.refresh import refresh_obligations
    from models.reminders import Recipient
    from models.tables import State
    from models.tracking import ensure_tracking_since, keep_register, set_tracking_since
    from models.treaty_facts import ensure_treaty_tracking_since, parties
    from notifications.recipients import add_recipient
    from rules.obligations import KIND_REGISTER
    from rules.treaties import APMBC
    from settings import get_settings

    settings = get_settings()
    since = parse_date(tracking_since, "--tracking-since")
    migrate()
    with session_scope() as session:
        if since is not None:
            set_tracking_since(session=session, day=since)
            # Saying when tracking began says the registers are kept from then on.
            for register in sorted(set(KIND_REGISTER.values())):
                keep_register(session=session, register=register, since=since, replace=True)
            refresh_obligations(session=session, all_states=True, committee=True)
        kept = ensure_tracking_since(session=session, default=dt.date(today_in_geneva().year, 1, 1))
        empty = session.exec(select(State).limit(1)).first() is None
        if registry and empty:
            for name in BUNDLED_FILES:
                _report(_import(session, BUNDLED_DIR / name, f"data/{name}", settings.actor))
        if registry and not parties(session=session, treaty=APMBC):
            # the APMBC's bundled facts (data/apmbc/), tracked from the day they first load
            ensure_treaty_tracking_since(session=session, treaty=APMBC, default=since or kept)
            for name in APMBC_FILES:
                _report(_import(session, BUNDLED_DIR / name, f"data/{name}", settings.actor))
        if default_recipient and session.exec(select(Recipient).limit(1)).first() is None:
            add_recipient(session=session, name="isu", tag="isu", now=dt.datetime.now(dt.UTC))
            say("recipient isu added (follows everything; `ccm-tracker recipients --help`)")
    say(f"database ready: {shown_url(settings.database_url)}")
    say(f"tracking since {kept.isoformat()} (earlier unrecorded obligations are history)")


def import_file(
    files: Annotated[list[Path], typer.Argument(parser=a_path, metavar="FILE.csv", help="CSV files: participants, Art. 3/4 facts, or reports received.")],
    actor: Annotated[str | None, typer.Option(help="Who is importing (for the audit log).")] = None,
    correct: Annotated[
        bool,
        typer.Option(
            "--correct",
            help="The files correct facts on record (a changed deposit date, received day, "
            "completion): replace them, keeping the old values in the audit log. Needs --reason.",
        ),
    ] = False,
    reason: Annotated[str, typer.Option(help="Why the values on record were wrong (with --correct).")] = "",
    treaty: Annotated[
        str | None,
        typer.Option("--treaty", metavar="ccm|apmbc",
                     help="The convention the files' facts are under. Default: a `treaty` column, "
                     "else an apmbc_*.csv name (apmbc), else this option, else ccm."),
    ] = None,
) -> None:
    """Validate and load CSV files of facts. All or nothing: one bad row and nothing is written.

    Errors are shown as `file:line: field: reason`. Loading the same file twice changes
    nothing; an empty cell never clears a value; a value that differs from the one on record
    is refused unless the import says `--correct --reason "..."`.
    """
    from models.db import session_scope
    from models.importer import ImportRejected, import_csv
    from models.refresh import written_revision
    from settings import get_settings

    who = actor or get_settings().actor
    asked = None
    if treaty is not None:
        from cli.choices import check_choice
        from rules.treaties import treaty_named

        asked = treaty_named(check_choice("--treaty", treaty.lower(), ("ccm", "apmbc")) or "ccm")
    try:
        with session_scope() as session:
            results = [
                import_csv(path, session=session, actor=who, display=str(path), correct=correct, reason=reason,
                           treaty=asked)
                for path in files
            ]
            revision = written_revision(session)
    except ImportRejected as rejected:  # every error (up to ImportRejected's cap), then the count
        for line in rejected.details():
            typer.echo(line, err=True)
        raise fail(str(rejected)) from None
    for result in results:
        _report(result)
    _announce(results, revision)


def _import(session: Session, path: Path, shown: str, actor: str) -> ImportResult:
    from models.importer import import_csv

    return import_csv(path, session=session, actor=actor, display=shown)


def _report(result: ImportResult) -> None:
    say(
        f"{result.path}: {result.rows} {result.kind} rows: {result.added} added, "
        f"{result.updated} updated, "
        + (f"{result.corrected} corrected, " if result.corrected else "")
        + f"{result.unchanged} unchanged"
    )
    for iso3, name, old, new in result.changed:  # what an update replaced (kept in the audit log)
        say(f"  {iso3} {name}: {_shown(old)} -> {_shown(new)}")


def _shown(value: object, limit: int = 80) -> str:
    """A value as the import summary shows it: dates as YYYY-MM-DD, empty as '(empty)', long
    text cut at ``limit`` characters with '...'."""
    if value is None or value == "":
        return "(empty)"
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return repr(text if len(text) <= limit else text[: limit - 3] + "...")


def _announce(results: list[ImportResult], revision: int | None) -> None:
    """One `ccm.fact.recorded` event per State whose facts the import touched (files that
    changed nothing announce nothing), sent in one request where a Prefect API is configured,
    each with ``revision``, the data revision the import produced."""
    from flows.events import announce_facts, state_resource

    touched: dict[str, list[tuple[str, str]]] = {}
    for result in results:
        for iso3 in result.states:  # only States whose facts were added or updated
            touched.setdefault(iso3, []).append((f"{result.kind} from {result.path}", result.sha256))
    if not touched:
        return
    # The content's hash is in the payload, so in the event id: a corrected file imported from
    # the same path is a new event (a new rescan); the same import announced twice is not.
    delivery = announce_facts([
        (state_resource(iso3), "import: " + "; ".join(sorted(w for w, _ in files)),
         {"iso3": iso3, "sha256": sorted(digest for _, digest in files)})
        for iso3, files in sorted(touched.items())
    ], revision=revision)
    if delivery.delivered:
        say(f"events delivered: ccm.fact.recorded for {len(touched)} State(s)")
    else:
        say(f"events not delivered: {delivery.reason}")


def states(
    fmt: Format = OutputFormat.table,
    status: Annotated[str | None, typer.Option(metavar="|".join(STATUSES), help="Only party, signatory or withdrawn.")] = None,
    treaty: TreatyChoice = None,
) -> None:
    """List the States in the registry, with entry into force computed under Art. 17 of
    their convention (`--treaty apmbc`: the APMBC's participants; `all`: both, a row per
    State and convention). A withdrawal shows as `withdrawn` from the day it takes effect."""
    from sqlmodel import select

    from cli.choices import check_choice
    from models.db import session_scope
    from models.tables import State
    from rules.treaties import CCM

    check_choice("--status", status, STATUSES)
    treaties = chosen_treaties(treaty)
    today = today_in_geneva()
    rows = []
    with session_scope() as session:
        for chosen in treaties:
            if chosen is CCM:
                found = session.exec(select(State).order_by(State.iso3)).all()
            else:  # another convention's tables, built only when asked for
                from models.treaty_facts import parties

                found = parties(session=session, treaty=chosen)
            rows += [_state_row(s, chosen, today) for s in found]
    if status:
        rows = [r for r in rows if r["status"] == status]
    columns = ["iso3", "name", "status", "deposit_date", "entry_into_force"]
    if fmt is not OutputFormat.table:  # a file has every field, whatever the options
        columns = ["treaty", "iso3", "name", "status", "signature_date", "deposit_date", "instrument",
                   "entry_into_force", "withdrawal_effective_date"]
    elif treaties != (CCM,):
        columns = ["treaty", *columns, "withdrawal_effective_date"]
    emit_rows(rows, fmt, columns, title=f"{len(rows)} States")


def _state_row(state: Any, treaty: Any = None, today: dt.date | None = None) -> dict[str, object]:
    from rules.entry_into_force import entry_into_force
    from rules.treaties import CCM

    treaty = treaty or CCM
    withdrawn = state.withdrawal_effective_date
    if withdrawn is not None and (today is None or withdrawn <= today):
        status = "withdrawn"
    elif state.deposit_date is not None:
        status = "party"
    else:
        status = "signatory"
    eif = entry_into_force(state.deposit_date, treaty) if state.deposit_date else None
    return {
        "treaty": treaty.code,
        "iso3": state.iso3,
        "name": state.name,
        "status": status,
        "signature_date": state.signature_date,
        "deposit_date": state.deposit_date,
        "entry_into_force": eif,
        "withdrawal_effective_date": state.withdrawal_effective_date,
        "instrument": state.instrument,
    }
