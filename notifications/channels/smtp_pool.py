"""Keep Apprise's SMTP connections open for the length of one dispatch run.

Apprise's email plugin connects (and secures, and logs in) and quits once per message. For a
run of a thousand digests to one mail server that handshake is most of the cost. Inside
``keep_connections()``, the plugin's connection controller hands its connection back to a
pool instead of quitting, and the next message to the same server and account takes it:
same host, port, TLS mode, user, password, certificate check and timeout. Every message is
still built and sent by Apprise's own email plugin; only the connection lives longer.

Safety rules, each because a reused connection must never cost a message:
- a connection taken from the pool is checked with NOOP; a dead one is dropped and a fresh
  one opened, so a server that closed an idle connection costs a reconnect, not a failure;
- a connection on which a send failed (refused recipient, error, exception) is quit, never
  reused;
- at most ``MAX_MESSAGES_PER_CONNECTION`` messages go over one connection (servers cap this);
- when the last ``keep_connections()`` block ends, every pooled connection is quit;
- outside ``keep_connections()``, the controller behaves exactly as Apprise ships it.

Installed once, by ``notifications.channels.apprise_channel``.
"""

from __future__ import annotations

import contextlib
import smtplib
import threading
from collections.abc import Iterator
from typing import Any, Self

from apprise.plugins.email import base as email_base
from apprise.plugins.email.smtp import SMTP_EXCEPTIONS, AppriseSMTPController

MAX_MESSAGES_PER_CONNECTION = 100

_Key = tuple[Any, ...]


class ConnectionPool:
    """Idle connections by server and account; one user at a time for each connection."""

    def __init__(self) -> None:
        self._idle: dict[_Key, tuple[smtplib.SMTP, int]] = {}
        self._lock = threading.Lock()
        self._closed = False

    def take(self, key: _Key) -> tuple[smtplib.SMTP, int] | None:
        with self._lock:
            return self._idle.pop(key, None)

    def give(self, key: _Key, connection: smtplib.SMTP, used: int) -> None:
        with self._lock:
            if self._closed:
                spare: smtplib.SMTP | None = connection
            else:
                spare = self._idle.pop(key, (None, 0))[0]
                self._idle[key] = (connection, used)
        if spare is not None:
            _quit(spare)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = list(self._idle.values()), {}
        for connection, _ in idle:
            _quit(connection)


_active: ConnectionPool | None = None
_depth = 0
_active_lock = threading.Lock()


@contextlib.contextmanager
def keep_connections() -> Iterator[ConnectionPool]:
    """Reuse SMTP connections until the outermost block ends (blocks may nest or overlap
    across threads: two dispatchers in one process share the pool, never a connection)."""
    global _active, _depth
    with _active_lock:
        if _active is None:
            _active = ConnectionPool()
        _depth += 1
        pool = _active
    try:
        yield pool
    finally:
        with _active_lock:
            _depth -= 1
            last = _depth == 0
            if last:
                _active = None
        if last:
            pool.close()


class PooledSMTPController(AppriseSMTPController):
    """Apprise's controller, taking its connection from the active pool and giving it back."""

    def __enter__(self) -> Self:
        self._pool = _active
        self._used = 0
        self._failed = False
        taken = self._pool.take(self._key()) if self._pool is not None else None
        if taken is not None:
            connection, used = taken
            if _alive(connection):
                self._socket, self._used = connection, used
                return self
            _quit(connection)
        super().__enter__()
        return self

    def sendmail(self, from_addr: str, to_addrs: list, message: str) -> bool:  # type: ignore[type-arg]
        delivered = super().sendmail(from_addr, to_addrs, message)
        self._used += 1
        self._failed = self._failed or not delivered
        return delivered

    def __exit__(self, exc_type, exc_val, exc_tb) -> None:  # type: ignore[no-untyped-def]
        keep = (
            self._pool is not None
            and exc_type is None
            and not self._failed
            and self._socket is not None
            and self._used < MAX_MESSAGES_PER_CONNECTION
        )
        if keep:
            self._pool.give(self._key(), self._socket, self._used)  # type: ignore[union-attr]
            self._socket = None
            return
        super().__exit__(exc_type, exc_val, exc_tb)

    def _key(self) -> _Key:
        return (self.host, self.port, self.secure_mode, self.user, self.password,
                self.verify_certificate, self.socket_connect_timeout)


def _alive(connection: smtplib.SMTP) -> bool:
    try:
        return connection.noop()[0] == 250
    except SMTP_EXCEPTIONS:
        return False


def _quit(connection: smtplib.SMTP) -> None:
    with contextlib.suppress(*SMTP_EXCEPTIONS):
        connection.quit()
    with contextlib.suppress(*SMTP_EXCEPTIONS):
        connection.close()


def install_pooled_smtp_for_apprise() -> None:
    email_base.AppriseSMTPController = PooledSMTPController  # type: ignore[misc]
