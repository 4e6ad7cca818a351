"""What every flow checks before its first task, and how a known failure ends a run.

A flow that cannot open its database should end Failed with one sentence that names the
database (password masked) and says what to do, not with SQLAlchemy's text under three copies
of a traceback. ``database_problem`` finds that sentence without creating anything (an absent
SQLite file would otherwise be created empty by the first connection), and ``failed`` returns
the Failed state the flow ends with (returning a state, unlike raising, logs no traceback).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from models.db import get_engine

HINT = "set CCM_DATABASE_URL in the worker's environment (the work pool's job variables) and run `ccm-tracker init`"


def shown_url(url: str) -> str:
    """``url`` with its password masked (``postgresql+psycopg://ccm:***@db/ccm``)."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def database_problem(url: str) -> str | None:
    """One sentence saying why the tracker database at ``url`` cannot be used, or None.

    Checks, in order: the URL parses; a SQLite file exists (never creates one); a connection
    opens; the schema is there (``ccm-tracker init`` ran: table ``state`` exists).
    """
    shown = shown_url(url)
    try:
        parsed = make_url(url)
    except ArgumentError:
        return f"the tracker database URL {shown!r} is not a database URL; {HINT}."
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        path = Path(parsed.database)
        if not path.is_file():
            return f"the tracker database {shown} does not exist ({path.resolve()}); {HINT}."
    try:
        with get_engine(url).connect() as connection:
            initialised = inspect(connection).has_table("state")
    except SQLAlchemyError as error:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        return f"cannot open the tracker database {shown}: {reason}; {HINT}."
    if not initialised:
        return f"the tracker database {shown} has no tracker tables; run `ccm-tracker init` for it."
    return None


def failed(message: str):  # type: ignore[no-untyped-def]
    """The Failed state a flow returns to end red with ``message`` on top (no traceback).

    Logged once at ERROR so the run's log says it too."""
    from prefect import get_run_logger
    from prefect.states import Failed

    get_run_logger().error(message)
    return Failed(message=message)


def one_line(error: BaseException) -> str:
    """``ErrorType: first line of its text`` (at most 300 characters): for a Failed message
    when a task already logged the traceback."""
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return f"{type(error).__name__}: {text}"[:300] if text else type(error).__name__
