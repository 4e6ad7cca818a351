"""Apprise answers False, not an exception: this turns its captured log into a typed error.

``PermanentDeliveryError``: retrying cannot help (no URL for the tag, a URL Apprise refused,
credentials rejected, recipient address refused, HTTP 4xx). The row is failed and shown.
``TransientDeliveryError``: the server was down, slow or busy (connection refused, timeout,
SMTP 4xx, HTTP 5xx/408/429). The row goes back to pending with a backoff.
Reasons are in words and never carry a URL or credentials.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_URL = re.compile(r"\b[a-z][a-z0-9+.\-]*://\S+", re.IGNORECASE)
_USERINFO = re.compile(r"\b[^\s/@:]+:[^\s/@]+@")
_SMTP_CODE = re.compile(r"\((\d{3}), b?['\"]([^'\"]*)")
_HTTP_CODE = re.compile(r"error=(\d{3})")
_AUTH = re.compile(r"authenticat|credential|unauthori[sz]ed|forbidden", re.IGNORECASE)
_USEFUL = re.compile(
    r"exception|error|failed|refused|timed out|timeout|unparseable|invalid|denied|rejected",
    re.IGNORECASE,
)


class DeliveryError(Exception):
    permanent = False

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class PermanentDeliveryError(DeliveryError):
    permanent = True


class TransientDeliveryError(DeliveryError):
    permanent = False


def scrub(text: str) -> str:
    """Remove anything that looks like a URL or user:password@ from ``text``."""
    return _USERINFO.sub("", _URL.sub("<url hidden>", text))


def classify(service: str, log_lines: Iterable[str]) -> DeliveryError:
    """A typed error from what Apprise logged during one failed call to ``service``."""
    lines = [scrub(line).strip() for line in log_lines if _USEFUL.search(line)]
    detail = "; ".join(dict.fromkeys(lines))[:500] or "no detail logged"
    joined = " ".join(lines)
    smtp = _SMTP_CODE.search(joined)
    if smtp:
        code = int(smtp.group(1))
        if code >= 500:
            kind = "credentials rejected" if code in (530, 534, 535) else "refused by the server"
            return PermanentDeliveryError(f"{service}: {kind} (SMTP {code}): {detail}")
        return TransientDeliveryError(f"{service}: server busy (SMTP {code}): {detail}")
    http = _HTTP_CODE.search(joined)
    if http:
        code = int(http.group(1))
        if 400 <= code < 500 and code not in (408, 425, 429):
            kind = "credentials rejected" if code in (401, 403) else "request refused"
            return PermanentDeliveryError(f"{service}: {kind} (HTTP {code}): {detail}")
        return TransientDeliveryError(f"{service}: server error (HTTP {code}): {detail}")
    if "(permanent)" in joined:
        return PermanentDeliveryError(f"{service}: cannot be sent as written: {detail}")
    if _AUTH.search(joined):
        return PermanentDeliveryError(f"{service}: credentials rejected: {detail}")
    return TransientDeliveryError(f"{service}: not delivered: {detail}")
