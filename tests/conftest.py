"""Shared test set-up: a fresh, migrated database per test, on SQLite and (when
CCM_TEST_POSTGRES_URL is set) on PostgreSQL too; each PostgreSQL run makes its own randomly
named database and drops it afterwards.

Tests build their data with the factories in ``tests/factories.py``, not hidden fixtures.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import secrets
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from models.db import forget_engines, get_engine, migrate
from settings import reset_settings_cache

POSTGRES_URL = os.environ.get("CCM_TEST_POSTGRES_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])

# Keep Prefect off any real server and out of ~/.prefect in unit tests.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str | None]:
    """One randomly named PostgreSQL database for the whole run, dropped at the end."""
    if not POSTGRES_URL:
        yield None
        return
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    name = f"ccm_test_{secrets.token_hex(6)}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        forget_engines()
        with admin.connect() as conn:
            conn.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"
            ), {"n": name})
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(
    request: pytest.FixtureRequest,
    tmp_path,
    monkeypatch: pytest.MonkeyPatch,
    postgres_server: str | None,
) -> Iterator[str]:
    """A migrated, empty database; CCM_DATABASE_URL points at it for the CLI and flows."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'ccm.db'}"
    else:
        assert postgres_server is not None
        url = postgres_server
        _reset_postgres(url)
    monkeypatch.setenv("CCM_DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)
    reset_settings_cache()
    migrate(url)
    yield url
    get_engine(url).dispose()
    forget_engines()
    reset_settings_cache()


def _reset_postgres(url: str) -> None:
    """Start each test on an empty schema in the run's database."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    forget_engines()


@pytest.fixture
def run(database_url: str) -> Callable[..., Any]:
    """Run `ccm-tracker ARGS` in this process (Typer's runner) against the test database;
    returns the result, failing loudly when the exit code is not ``code`` (0 by default)."""
    from typer.testing import CliRunner

    from cli.app import app

    runner = CliRunner()

    def invoke(*args: str, code: int = 0) -> Any:
        result = runner.invoke(app, list(args), env={"COLUMNS": "200"})
        assert result.exit_code == code, result.output
        return result

    return invoke


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """One Prefect test server for the whole session (it migrates a fresh database: ~20 s)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


class SmtpInbox:
    """A real SMTP server on loopback (aiosmtpd) that keeps every message it receives."""

    def __init__(self) -> None:
        import email
        from email import policy

        self._email = email
        self._policy = policy.default
        self.messages: list[Any] = []
        self.envelopes: list[Any] = []
        self.peers: list[Any] = []  # the client (host, port) of each message: one per connection
        self.host = "127.0.0.1"
        self.port = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append(envelope)
        self.peers.append(session.peer)
        self.messages.append(
            self._email.message_from_bytes(envelope.original_content or envelope.content, policy=self._policy)
        )
        return "250 Message accepted for delivery"


class Gate(SmtpInbox):
    """The loopback SMTP server that keeps each message, and holds its answer to the second."""

    def __init__(self) -> None:
        super().__init__()
        self.second_arrived = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        answer = await super().handle_DATA(server, session, envelope)
        if len(self.messages) == 2:
            self.second_arrived.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
        return answer


@pytest.fixture
def smtp_server() -> Iterator[SmtpInbox]:
    """Start aiosmtpd on a free loopback port; ``.messages`` holds what arrived."""
    from aiosmtpd.controller import Controller

    inbox = SmtpInbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    inbox.port = port
    try:
        yield inbox
    finally:
        controller.stop()


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def today_is(monkeypatch: pytest.MonkeyPatch) -> Callable[[dt.date], None]:
    """today_is(day): for `remind` (and the reminders flow, when imported before) today is
    ``day``, so the obligation rows a test stores by hand stand for a refresh on that day: a
    run as of ``day`` plans from them, not from facts. Only the name those commands read is
    patched (``clock.today_in_geneva`` itself is not: a module first imported meanwhile
    would keep the stand-in after the test)."""

    def pin(day: dt.date) -> None:
        import cli.remind

        monkeypatch.setattr(cli.remind, "today_in_geneva", lambda: day)
        flows = sys.modules.get("flows.remind")
        if flows is not None:
            monkeypatch.setattr(flows, "today_in_geneva", lambda: day)

    return pin
