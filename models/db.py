"""The one engine per database URL, sessions, and migrations (``ccm-tracker init``).

Which database: ``CCM_DATABASE_URL`` (environment, or a ``.env`` file in the working
directory); unset, ``sqlite:///ccm-tracker.db``, a file named ``ccm-tracker.db`` in the
working directory. Only ``migrate()`` (``ccm-tracker init``) creates an SQLite file: every
session on a file that does not exist is refused with ``NoDatabase``, so a command run in
the wrong folder says so instead of leaving an empty database behind.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import URL, Engine, make_url
from sqlmodel import Session, create_engine

from errors import DatabaseUnavailable
from settings import get_settings

MIGRATIONS = Path(__file__).parent / "migrations"


def get_engine(url: str | None = None) -> Engine:
    """The engine for ``url`` (None: the settings' ``database_url`` as they are now), one per
    URL per process. Cached by the URL itself, never by None: an engine made while the
    settings named another database is not handed out once they name this one."""
    return _engine(url or get_settings().database_url)


def forget_engines() -> None:
    """Drop every cached engine (their pools close when no session holds them)."""
    _engine.cache_clear()


@lru_cache(maxsize=8)
def _engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(sqlite_uri(url), connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    # WAL lets readers (the feed server, the CLI) work while a scan writes; foreign keys are
    # off by default in SQLite; busy_timeout waits for a writer instead of failing at once.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL stays consistent after a crash and skips an fsync per commit; only
    # the last commits before a power cut may be lost (a reminder then goes out once more).
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


# Query arguments SQLite reads from a ``file:`` URI (https://www.sqlite.org/uri.html).
SQLITE_URI_ARGUMENTS = frozenset({"mode", "cache", "immutable", "nolock", "psow", "vfs", "modeof"})


def sqlite_uri(url: str) -> URL:
    """An SQLite URL whose SQLite arguments are honoured. ``sqlite:///x.db?mode=ro`` is, for
    the pysqlite driver, ``x.db`` opened read-write with a warning (the argument is ignored
    unless ``uri=true``); with ``uri=true`` but no ``file:`` prefix it opens a file named
    ``x.db?mode=ro``. Either is rewritten to ``sqlite:///file:x.db?mode=ro&uri=true``, the
    form SQLAlchemy documents; any other URL is returned as it is."""
    parsed = make_url(url)
    database = parsed.database or ""
    if not SQLITE_URI_ARGUMENTS & set(parsed.query) or database.startswith("file:"):
        return parsed
    return parsed.set(database=f"file:{database}").update_query_dict({"uri": "true"})


class NoDatabase(DatabaseUnavailable):
    """The SQLite file named by the settings does not exist (and only `init` creates one)."""


def sqlite_path(url: str) -> Path | None:
    """The file an SQLite URL names (absolute), or None for other databases and memory."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database or ""
    if database.startswith("file:"):  # sqlite:///file:path?mode=ro&uri=true
        database = database[len("file:"):].split("?", 1)[0]
    if database in ("", ":memory:") or parsed.query.get("mode") == "memory":
        return None
    return Path(database).absolute()


def shown_url(url: str) -> str:
    """How a message names the database: an SQLite file's path, or the URL without password."""
    path = sqlite_path(url)
    return str(path) if path else make_url(url).render_as_string(hide_password=True)


def require_database(url: str | None = None) -> None:
    """Refuse (``NoDatabase``) when the SQLite file does not exist: nothing is created."""
    path = sqlite_path(url or get_settings().database_url)
    if path is not None and not path.exists():
        raise NoDatabase(
            f"no database at {path}; run `ccm-tracker init` or set CCM_DATABASE_URL"
        )


def database_problem(error: Exception, url: str | None = None) -> DatabaseUnavailable | None:
    """What a database error means for a person, naming the database; None if it is not
    one of the known cases (folder missing, read-only, not a database, not set up, busy,
    unreachable server)."""
    from sqlalchemy.exc import DBAPIError, OperationalError

    if not isinstance(error, DBAPIError):
        return None
    url = url or get_settings().database_url
    where = shown_url(url)
    text = str(error.orig).strip()
    first = text.splitlines()[0] if text else type(error.orig).__name__
    path = sqlite_path(url)
    if "unable to open database file" in text and path is not None:
        if not path.parent.is_dir():
            return DatabaseUnavailable(
                f"cannot open the database at {path}: the folder {path.parent} does not exist"
            )
        return DatabaseUnavailable(
            f"cannot open the database at {path}: not a readable file, or no permission to its folder"
        )
    if "readonly database" in text and make_url(url).query.get("mode") == "ro":
        return DatabaseUnavailable(
            f"the database at {where} is read-only here (mode=ro in CCM_DATABASE_URL): "
            "this command writes; run it without mode=ro"
        )
    if "readonly database" in text:
        return DatabaseUnavailable(
            f"the database at {where} is read-only (check the permissions of the file and "
            "its folder; SQLite writes a -wal file beside it)"
        )
    if "file is not a database" in text:
        return DatabaseUnavailable(f"{where} is not an SQLite database (CCM_DATABASE_URL names another kind of file)")
    if "no such table" in text or ("relation" in text and "does not exist" in text):
        return DatabaseUnavailable(
            f"the database at {where} is not set up ({first}): run `ccm-tracker init` first"
        )
    if "database is locked" in text:
        return DatabaseUnavailable(f"the database at {where} stayed locked by another writer for 30 s; try again")
    # A server database: any operational error before a statement ran is a connection that
    # failed (refused, unknown host, wrong password, missing database).
    if path is None and (
        isinstance(error, OperationalError)
        or "connection" in text or "does not exist" in text or "password" in text
    ):
        return DatabaseUnavailable(f"cannot connect to the database at {where}: {first}")
    return None


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """A session that commits on success and rolls back on any error.

    Raises ``NoDatabase`` when the SQLite file does not exist (run `ccm-tracker init`).
    """
    require_database(url)
    with Session(get_engine(url), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def migrate(url: str | None = None) -> None:
    """Bring the database to the newest schema (all heads). Safe to run again."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url or get_settings().database_url)
    config.attributes["engine"] = get_engine(url)
    command.upgrade(config, "heads")
