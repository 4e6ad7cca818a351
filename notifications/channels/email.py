"""Email that we build ourselves, sent over SMTP with the settings of the user's ``mailto://``
(or ``mailtos://``) URL as Apprise parsed it.

Why not Apprise's email plugin: ``notify()`` takes one body, so it cannot send our own text
part next to our HTML (it derives the text from the HTML and drops link URLs), and it cannot
set ``method=`` on a calendar part. Apprise still reads and validates the config; this module
only takes the parsed service's fields (host, port, ``mode``, user, password, ``verify``,
timeout, from, to, cc, bcc) and sends the ``EmailMessage`` built in ``notifications.message``.

- TLS: ``mode=ssl`` (implicit TLS) and ``starttls`` both use ``ssl.create_default_context()``:
  the certificate and host name are verified unless the URL says ``verify=no``.
- Connections are reused for the length of one dispatch run (``SmtpSession``): checked with
  NOOP before reuse, quit after a failure, at most ``MAX_MESSAGES_PER_CONNECTION`` messages.
- A per-host circuit breaker: after ``breaker`` consecutive timeouts from one host in a run,
  the rest of that host's messages are deferred at once (a transient error) instead of each
  waiting for its own timeout.
"""

from __future__ import annotations

import contextlib
import smtplib
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from notifications.errors import PermanentDeliveryError, TransientDeliveryError

MAX_MESSAGES_PER_CONNECTION = 100
_SMTP_ERRORS = (smtplib.SMTPException, OSError)


@dataclass(frozen=True)
class SmtpServer:
    """Where and how to connect (from a parsed ``mailto://`` service)."""

    host: str
    port: int
    mode: str  # insecure | ssl | starttls
    user: str | None
    password: str | None
    verify: bool
    timeout: float

    @classmethod
    def of(cls, service: Any, timeout: float) -> SmtpServer:
        return cls(
            host=service.smtp_host, port=int(service.port or 25),
            mode=str(service.secure_mode or "insecure"), user=service.user or None,
            password=service.password or None, verify=bool(service.verify_certificate),
            timeout=float(min(timeout, service.socket_connect_timeout or timeout)),
        )


def tls_context(verify: bool) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if not verify:  # the URL said verify=no: the user's explicit choice
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def connect(server: SmtpServer) -> smtplib.SMTP:
    """An open, secured, logged-in connection."""
    client: smtplib.SMTP
    if server.mode == "ssl":
        client = smtplib.SMTP_SSL(server.host, server.port, timeout=server.timeout,
                                  context=tls_context(server.verify))
    else:
        client = smtplib.SMTP(server.host, server.port, timeout=server.timeout)
        if server.mode == "starttls":
            client.ehlo()
            client.starttls(context=tls_context(server.verify))
    if server.user:
        client.login(server.user, server.password or "")
    return client


class HostDeferred(TransientDeliveryError):
    """The host's breaker is open: not tried in this run."""


class SmtpSession:
    """One dispatch run's SMTP connections and per-host timeout counts."""

    def __init__(self, breaker: int = 2) -> None:
        self.breaker = breaker
        self._idle: dict[SmtpServer, tuple[smtplib.SMTP, int]] = {}
        self.timeouts: dict[str, int] = {}

    def close(self) -> None:
        idle, self._idle = list(self._idle.values()), {}
        for client, _ in idle:
            _quit(client)

    def send(self, server: SmtpServer, message: EmailMessage, sender: str, recipients: list[str]) -> None:
        """Send or raise a ``DeliveryError`` (typed: permanent or transient)."""
        if self.breaker and self.timeouts.get(server.host, 0) >= self.breaker:
            raise HostDeferred(
                f"email to {server.host}: deferred, the server timed out "
                f"{self.timeouts[server.host]} times in a row in this run"
            )
        try:
            with self._connection(server) as client:
                refused = client.send_message(message, from_addr=sender, to_addrs=recipients)
        except _SMTP_ERRORS as error:
            if _is_timeout(error):
                self.timeouts[server.host] = self.timeouts.get(server.host, 0) + 1
            raise smtp_error(server.host, error) from error
        self.timeouts[server.host] = 0
        if refused:
            codes = "; ".join(f"{a}: {c} {m.decode(errors='replace')}" for a, (c, m) in refused.items())
            raise PermanentDeliveryError(f"email to {server.host}: some addresses refused: {codes}")

    @contextlib.contextmanager
    def _connection(self, server: SmtpServer) -> Iterator[smtplib.SMTP]:
        taken = self._idle.pop(server, None)
        client, used = taken if taken is not None else (None, 0)
        if client is not None and not _alive(client):
            _quit(client)
            client, used = None, 0
        if client is None:
            client = connect(server)
        try:
            yield client
        except BaseException:
            _quit(client)
            raise
        used += 1
        if used < MAX_MESSAGES_PER_CONNECTION:
            spare = self._idle.pop(server, None)
            self._idle[server] = (client, used)
            if spare is not None:
                _quit(spare[0])
        else:
            _quit(client)


def _is_timeout(error: BaseException) -> bool:
    return isinstance(error, (socket.timeout, TimeoutError)) or "timed out" in str(error).lower()


def smtp_error(host: str, error: BaseException) -> PermanentDeliveryError | TransientDeliveryError:
    """An SMTP or socket error in words: 5xx and refused credentials or certificates are
    permanent; timeouts, refused connections and 4xx are transient."""
    where = f"email to {host}"
    if isinstance(error, ssl.SSLCertVerificationError):
        return PermanentDeliveryError(f"{where}: the server's certificate could not be verified "
                                      f"({error.verify_message})")
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return PermanentDeliveryError(f"{where}: credentials rejected (SMTP {error.smtp_code})")
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = {code for code, _ in error.recipients.values()}
        text = "; ".join(f"{a}: {c} {m.decode(errors='replace')}" for a, (c, m) in error.recipients.items())
        kind = PermanentDeliveryError if all(c >= 500 for c in codes) else TransientDeliveryError
        return kind(f"{where}: recipient refused: {text}")
    code = getattr(error, "smtp_code", None)
    if isinstance(code, int) and code >= 500:
        detail = getattr(error, "smtp_error", b"")
        text = detail.decode(errors="replace") if isinstance(detail, bytes) else str(detail)
        return PermanentDeliveryError(f"{where}: refused by the server (SMTP {code}): {text}")
    if isinstance(code, int) and code >= 400:
        return TransientDeliveryError(f"{where}: server busy (SMTP {code})")
    if _is_timeout(error):
        return TransientDeliveryError(f"{where}: the server did not answer in time")
    if isinstance(error, ConnectionRefusedError):
        return TransientDeliveryError(f"{where}: connection refused")
    return TransientDeliveryError(f"{where}: {type(error).__name__}: {error}")


def _alive(client: smtplib.SMTP) -> bool:
    try:
        return client.noop()[0] == 250
    except _SMTP_ERRORS:
        return False


def _quit(client: smtplib.SMTP) -> None:
    with contextlib.suppress(*_SMTP_ERRORS):
        client.quit()
    with contextlib.suppress(*_SMTP_ERRORS):
        client.close()
