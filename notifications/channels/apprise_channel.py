"""Where a recipient's messages go: the addresses behind its Apprise tag, checked once per run.

The URLs come from the Apprise config file named by ``CCM_APPRISE_CONFIG`` (YAML or text, with
tags) and never leave this module: an address is known outside by its id (a hash of the URL
with secrets masked) and a label ("email to anna@example.org"). With no config file, or for a
tag in ``CCM_LOCAL_OUTBOX_TAGS`` that the config does not define, messages are written to the
local outbox folder as ``.eml`` files.

Loading: ``AppriseConfig.add()`` accepts a broken file and Apprise drops bad entries with only
a log line, so the file is loaded once under ``apprise.LogCapture`` and any dropped entry stops
the run before anything is claimed (``ConfigurationError`` names the file, the entry and
Apprise's reason). ``problems()`` gives the same list without raising (`recipients check`).

Delivery, one address at a time (``deliver``):
- ``mailto://``/``mailtos://``: our own MIME (``notifications.message``) over SMTP with the
  URL's settings (``notifications.channels.email``): a real text part next to the HTML;
- the local outbox: the same MIME, written to a file;
- any other Apprise URL (Slack, Teams, JSON...): ``notify()`` with the text part and
  ``body_format=text``, so Apprise escapes it for that service.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formataddr
from pathlib import Path
from typing import Any

import apprise
from apprise.attachment.memory import AttachMemory
from apprise.plugins.email.base import NotifyEmail
from apprise.result import AppriseResultStatus

from calendars.itip import invite_message
from errors import UserError
from notifications.channels import invite as _invite_channel  # noqa: F401  (registers ccminvite://)
from notifications.channels import outbox as _outbox_channel  # noqa: F401  (registers ccmoutbox://)
from notifications.channels.email import SmtpServer, SmtpSession
from notifications.errors import (
    DeliveryError,
    PermanentDeliveryError,
    TransientDeliveryError,
    classify,
    scrub,
)
from notifications.message import Rendered, email_message

_APPRISE_LOG = logging.getLogger("apprise")
# One service per call, run in the calling thread: Apprise's own service deadline would run
# each send on a worker thread and, when it fired, abandon a send that may still complete.
_SEQUENTIAL = apprise.AppriseAsset(async_mode=False, service_timeout=0)
_LOG_LOCK = threading.Lock()
_quiet_depth = 0
OUTBOX_ID = "local-outbox"
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


class ConfigurationError(UserError, RuntimeError):
    """The Apprise config file is missing, unreadable, or Apprise dropped an entry of it:
    nothing is claimed or sent."""


@dataclass(frozen=True)
class OutgoingAttachment:
    filename: str
    content: bytes
    mimetype: str = "application/octet-stream"


@dataclass(frozen=True)
class Letter:
    """One message's content, independent of where it goes.

    ``rendered``: subject, text and HTML parts (a digest). ``calendar``: an iTIP calendar
    (with METHOD) sent as a real invite by email, and as an .ics attachment elsewhere.
    """

    rendered: Rendered
    calendar: bytes | None = None
    attachments: Sequence[OutgoingAttachment] = ()


@dataclass(frozen=True)
class Address:
    """One Apprise URL (or the local outbox) behind a tag."""

    id: str
    label: str
    kind: str  # email | outbox | apprise
    host: str
    service: Any = field(default=None, compare=False, repr=False)


class AppriseChannel:
    """One per dispatch run: the config is read and checked once, services are reused."""

    def __init__(
        self,
        config_path: Path | None,
        outbox_dir: Path,
        *,
        from_name: str = "CCM Implementation Support Unit",
        local_outbox_tags: Sequence[str] = ("isu",),
        breaker: int = 2,
        smtp_timeout: float = 15.0,
        strict: bool = True,
    ) -> None:
        self.config_path = config_path
        self.outbox_dir = Path(outbox_dir)
        self.from_name = from_name
        self.local_outbox_tags = tuple(local_outbox_tags)
        self.smtp_timeout = smtp_timeout
        self._smtp = SmtpSession(breaker)
        self._by_tag: dict[str, list[Address]] = {}
        self._problems: list[str] = []
        if config_path is not None:
            self._load(Path(config_path))
        if strict and self._problems:
            raise ConfigurationError("; ".join(self._problems) + " (nothing was sent)")

    def _load(self, path: Path) -> None:
        if not path.is_file():
            self._problems.append(f"CCM_APPRISE_CONFIG names {path}, which is not a readable file")
            return
        with apprise.LogCapture(level=logging.WARNING, fmt="%(levelname)s|%(message)s") as captured:
            config = apprise.AppriseConfig(asset=_SEQUENTIAL)
            config.add(str(path))
            loaded = apprise.Apprise(asset=_SEQUENTIAL)
            loaded.add(config)
            services = list(loaded)  # parses now; dropped entries are logged here
        self._problems += _dropped(path, captured.getvalue())
        for service in services:
            address = _address_of(service)
            for tag in service.tags:
                self._by_tag.setdefault(str(tag), []).append(address)

    @property
    def describe(self) -> str:
        return f"Apprise config {self.config_path}" if self.config_path else (
            f"local outbox {self.outbox_dir}"
        )

    def problems(self) -> list[str]:
        """What Apprise refused in the config file (empty: every entry loaded)."""
        return list(self._problems)

    def has_tag(self, tag: str) -> bool:
        """Whether the Apprise config holds a URL with this tag."""
        return tag in self._by_tag

    def sender(self, tags: Sequence[str]) -> str | None:
        """"Name <address>" of the first email URL behind ``tags`` (each tried as ``<tag>-invite``
        then ``<tag>``), else of any email URL in the config; None when there is none."""
        wanted = [t for tag in tags for t in (f"{tag}-invite", tag)]
        ordered = [a for t in wanted for a in self._by_tag.get(t, [])]
        ordered += [a for found in self._by_tag.values() for a in found]
        for address in ordered:
            if address.kind == "email":
                name, addr = address.service.from_addr
                return formataddr((name or self.from_name, addr))
        return None

    def addresses(self, tag: str) -> list[Address]:
        """Where messages for ``tag`` go; empty when nowhere (a permanent "no address")."""
        if tag in self._by_tag:
            return list(self._by_tag[tag])
        if self.config_path is None or tag in self.local_outbox_tags:
            return [Address(OUTBOX_ID, f"local outbox folder {self.outbox_dir}", "outbox", "")]
        return []

    @contextmanager
    def keep_connections(self) -> Iterator[None]:
        """A block (one dispatch run): SMTP connections are reused, Apprise's logger is set
        up once, the per-host timeout counts start from zero."""
        with _quiet_apprise():
            try:
                yield
            finally:
                self._smtp.close()
                self._smtp.timeouts.clear()

    def deliver(self, address: Address, letter: Letter, *, recipient: str, now: dt.datetime) -> None:
        """Deliver ``letter`` to one address or raise a ``DeliveryError``."""
        if address.kind == "email":
            self._email(address.service, letter, now)
        elif address.kind == "outbox":
            self._outbox(letter, recipient, now)
        else:
            self._apprise(address, letter)

    def _email(self, service: NotifyEmail, letter: Letter, now: dt.datetime) -> None:
        name, sender = service.from_addr
        to = [addr for _, addr in service.targets]
        names = {addr: n for n, addr in service.targets if n}
        sender_name = name or self.from_name
        try:
            message = _mime(letter, sender, sender_name, to, names, now)
        except (ValueError, TypeError) as error:  # a header that cannot be written
            raise PermanentDeliveryError(f"email to {service.smtp_host}: the message cannot be "
                                         f"written: {scrub(str(error))}") from error
        envelope = [*to, *sorted(service.cc), *sorted(service.bcc)]
        self._smtp.send(SmtpServer.of(service, self.smtp_timeout), message, sender, envelope)

    def _outbox(self, letter: Letter, recipient: str, now: dt.datetime) -> None:
        message = _mime(letter, "ccm-tracker@localhost", self.from_name,
                        [f"{_SAFE.sub('_', recipient) or 'recipient'}@localhost"], {}, now)
        self.outbox_dir.mkdir(parents=True, exist_ok=True)
        stamp = now.strftime("%Y%m%dT%H%M%S%fZ")
        data = bytes(message)
        digest = hashlib.sha256(data).hexdigest()[:8]
        path = self.outbox_dir / f"{stamp}-{_SAFE.sub('_', recipient)}-{digest}.eml"
        temporary = path.with_name(f".{path.name}.tmp")
        temporary.write_bytes(data)
        os.replace(temporary, path)

    def _apprise(self, address: Address, letter: Letter) -> None:
        target = apprise.Apprise(asset=_SEQUENTIAL)
        target.add(address.service)
        attach = None
        files = list(letter.attachments)
        if letter.calendar is not None and not files:
            files.append(OutgoingAttachment("invite.ics", letter.calendar, "text/calendar"))
        if files:
            attach = apprise.AppriseAttachment()
            for item in files:
                attach.add(AttachMemory(content=item.content, name=item.filename, mimetype=item.mimetype))
        with _quiet_apprise():
            result = target.notify(
                body=letter.rendered.text, title=letter.rendered.subject,
                body_format=apprise.NotifyFormat.TEXT, attach=attach, log_level=logging.DEBUG,
            )
        with result:
            if result.status == AppriseResultStatus.SUCCESS:
                return
            failures = [r for r in result if r.status != AppriseResultStatus.SUCCESS]
            errors = [classify(address.label, (e.message for e in r.logs())) for r in failures]
            if not errors:
                raise TransientDeliveryError(f"{address.label}: Apprise answered {result.status.name}")
            reason = "; ".join(e.reason for e in errors)
            raise (PermanentDeliveryError if all(e.permanent for e in errors) else TransientDeliveryError)(reason)


def _mime(letter: Letter, sender: str, sender_name: str, to: list[str], names: dict[str, str],
          now: dt.datetime) -> EmailMessage:
    if letter.calendar is not None:
        return invite_message(letter.calendar, sender=formataddr((sender_name, sender)),
                              recipients=to, subject=letter.rendered.subject,
                              text=letter.rendered.text, now=now)
    message = email_message(letter.rendered, sender=sender, sender_name=sender_name, to=to,
                            to_names=names, now=now)
    for item in letter.attachments:
        maintype, _, subtype = item.mimetype.partition("/")
        message.add_attachment(item.content, maintype=maintype, subtype=subtype or "octet-stream",
                               filename=item.filename)
    return message


def _address_of(service: Any) -> Address:
    masked = service.url(privacy=True)
    address_id = hashlib.sha256(masked.encode()).hexdigest()[:32]
    if isinstance(service, NotifyEmail):
        to = ", ".join(addr for _, addr in service.targets)
        return Address(address_id, f"email to {to}", "email", service.smtp_host, service)
    host = str(getattr(service, "host", "") or "")
    label = f"{service.service_name} at {host}" if host else str(service.service_name)
    return Address(address_id, label, "apprise", host, service)


_ENTRY = re.compile(r"entry #(\d+)(?:, item #(\d+))?")


def _dropped(path: Path, log: str) -> list[str]:
    """Apprise's WARNING/ERROR lines while loading, as problems naming the entry."""
    problems: list[str] = []
    reasons: list[str] = []
    for line in log.splitlines():
        _, _, text = line.partition("|")
        if not text or text.startswith("Failed to load Apprise configuration from"):
            continue
        entry = _ENTRY.search(text)
        if entry:
            which = f"entry #{entry.group(1)}" + (f", item #{entry.group(2)}" if entry.group(2) else "")
            why = "; ".join(reasons) or text
            problems.append(f"{path}: Apprise dropped URL {which}: {scrub(why)}")
            reasons = []
        else:
            reasons.append(text.strip())
    if reasons:
        problems.append(f"{path}: Apprise could not load the file: {scrub('; '.join(reasons))}")
    return problems


@contextmanager
def _quiet_apprise():  # type: ignore[no-untyped-def]
    """Let Apprise record DEBUG lines in its per-call result (that is where error text is),
    without passing them to the process's log handlers: they may contain URLs."""
    global _quiet_depth
    with _LOG_LOCK:
        if _quiet_depth == 0:
            _quiet_apprise.saved = (_APPRISE_LOG.level, _APPRISE_LOG.propagate)  # type: ignore[attr-defined]
            _APPRISE_LOG.setLevel(logging.DEBUG)
            _APPRISE_LOG.propagate = False
        _quiet_depth += 1
    try:
        yield
    finally:
        with _LOG_LOCK:
            _quiet_depth -= 1
            if _quiet_depth == 0:
                level, propagate = _quiet_apprise.saved  # type: ignore[attr-defined]
                _APPRISE_LOG.setLevel(level)
                _APPRISE_LOG.propagate = propagate


__all__ = ["Address", "AppriseChannel", "ConfigurationError", "DeliveryError", "Letter",
           "OutgoingAttachment"]
