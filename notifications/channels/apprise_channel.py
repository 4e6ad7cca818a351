"""Send one message to one recipient's Apprise tag; turn Apprise's answer into a typed error.

The URLs come from the Apprise config file named by ``CCM_APPRISE_CONFIG`` (YAML or text,
with tags) and never leave this module: errors carry the service name and a scrubbed reason.
With no config file, every recipient goes to the local outbox folder through ``ccmoutbox://``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import apprise
from apprise.attachment.memory import AttachMemory
from apprise.plugins.email.base import NotifyEmail
from apprise.result import AppriseResultStatus

from errors import UserError
from notifications.channels import invite as _invite_channel  # noqa: F401  (registers ccminvite://)
from notifications.channels import outbox as outbox_channel
from notifications.channels.smtp_pool import (
    ConnectionPool,
    install_pooled_smtp_for_apprise,
    keep_connections,
)
from notifications.channels.template_cache import install_shared_templates_for_apprise_config
from notifications.channels.tls import install_lazy_tls_for_apprise_smtp
from notifications.errors import PermanentDeliveryError, TransientDeliveryError, classify

install_lazy_tls_for_apprise_smtp()
install_pooled_smtp_for_apprise()
install_shared_templates_for_apprise_config()

_APPRISE_LOG = logging.getLogger("apprise")
# One service per call, run in the calling thread. Apprise's own 60 s service deadline would
# run every send on a worker thread (a hand-off per message) and, when it fired, abandon a send
# that may still complete: a duplicate on the retry. Each plugin's own network timeout bounds a
# send instead (SMTP: a 15 s socket timeout on every operation), well inside the sending lease.
_SEQUENTIAL = apprise.AppriseAsset(async_mode=False, service_timeout=0)
_LOG_LOCK = threading.Lock()
_quiet_depth = 0


class ConfigurationError(UserError, RuntimeError):
    """The Apprise config file is missing or unreadable: nothing is claimed or sent."""


@dataclass(frozen=True)
class OutgoingAttachment:
    filename: str
    content: bytes
    mimetype: str = "application/octet-stream"


class AppriseChannel:
    """One per dispatch run: the config file is read once, services are reused."""

    def __init__(self, config_path: Path | None, outbox_dir: Path) -> None:
        self.config_path = config_path
        self.outbox_dir = outbox_dir
        self._configured: apprise.Apprise | None = None
        # tag -> an Apprise object holding only that tag's services: Apprise's own tag
        # matching scans every service per call, which is quadratic over a run.
        self._by_tag: dict[str, apprise.Apprise] = {}
        if config_path is not None:
            if not Path(config_path).is_file():
                raise ConfigurationError(
                    f"CCM_APPRISE_CONFIG names {config_path}, which is not a readable file"
                )
            config = apprise.AppriseConfig(asset=_SEQUENTIAL)
            if not config.add(str(config_path)):
                raise ConfigurationError(f"{config_path}: Apprise cannot load this config file")
            self._configured = apprise.Apprise(asset=_SEQUENTIAL)
            self._configured.add(config)
            with _quiet_apprise():
                services = list(self._configured)  # loads the file; bad URLs are dropped here
            for service in services:
                _no_throttle(service)
                for tag in service.tags:
                    self._by_tag.setdefault(str(tag), apprise.Apprise(asset=_SEQUENTIAL)).add(service)

    @property
    def describe(self) -> str:
        return f"Apprise config {self.config_path}" if self.config_path else (
            f"local outbox {self.outbox_dir}"
        )

    @contextmanager
    def keep_connections(self) -> Iterator[ConnectionPool]:
        """A block (one dispatch run) in which SMTP connections are reused between
        messages to the same server and account (``smtp_pool``), and Apprise's logger is set
        up once for the block rather than around every send (changing a logger's level
        clears the cache of every logger in the process)."""
        with keep_connections() as pool, _quiet_apprise():
            yield pool

    def has_tag(self, tag: str) -> bool:
        """Whether the Apprise config holds a URL with this tag."""
        return tag in self._by_tag

    def send(
        self,
        *,
        tag: str,
        recipient: str,
        title: str,
        body: str,
        attachments: Sequence[OutgoingAttachment] = (),
    ) -> None:
        """Deliver or raise ``PermanentDeliveryError`` / ``TransientDeliveryError``."""
        if self._configured is not None:
            target = self._by_tag.get(tag) or apprise.Apprise(asset=_SEQUENTIAL)
        else:
            target = apprise.Apprise(asset=_SEQUENTIAL)
            target.add(outbox_channel.outbox_url(self.outbox_dir, recipient), tag=tag)
        attach = None
        if attachments:
            attach = apprise.AppriseAttachment()
            for item in attachments:
                attach.add(AttachMemory(content=item.content, name=item.filename, mimetype=item.mimetype))
        with _quiet_apprise():
            result = target.notify(
                body=body, title=title, tag=tag, attach=attach, log_level=logging.DEBUG
            )
        with result:
            if result.status == AppriseResultStatus.SUCCESS:
                return
            if result.status == AppriseResultStatus.NOMATCH:
                where = self.config_path or "the Apprise config"
                raise PermanentDeliveryError(
                    f"no Apprise URL is tagged {tag!r} in {where} (a URL Apprise cannot parse is "
                    "dropped when the file is loaded)"
                )
            failures = [r for r in result if r.status != AppriseResultStatus.SUCCESS]
            errors = [classify(r.name, (entry.message for entry in r.logs())) for r in failures]
            if not errors:
                raise TransientDeliveryError(f"Apprise answered {result.status.name}")
            reason = "; ".join(e.reason for e in errors)
            if all(e.permanent for e in errors):
                raise PermanentDeliveryError(reason)
            raise TransientDeliveryError(reason)


def _no_throttle(service: object) -> None:
    # Apprise waits 5.5 s between two sends on one email service object (STACK-NOTES): we
    # send one digest per recipient, so the throttle only slows a run down.
    if isinstance(service, NotifyEmail):
        service.request_rate_per_sec = 0


@contextmanager
def _quiet_apprise():  # type: ignore[no-untyped-def]
    """Let Apprise record DEBUG lines in its per-call result (that is where SMTP error text
    is), without passing them to the process's log handlers: they may contain URLs."""
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
