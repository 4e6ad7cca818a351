"""The zero-config channel: an Apprise plugin (``ccmoutbox://``) writing one file per message.

With no Apprise config file, every recipient is sent to ``ccmoutbox:///<outbox_dir>?to=NAME``,
so the message still flows through Apprise (same result, same error handling) and a new user
can read it in ``outbox/``. Files are written atomically (temporary name, then rename).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from apprise.decorators import notify

from notifications.channels import accept_in_yaml_config

SCHEME = "ccmoutbox"
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def outbox_url(folder: Path, recipient: str) -> str:
    path = quote(str(Path(folder).resolve()))
    return f"{SCHEME}://{path}?to={quote(recipient)}"


def folder_of(url: str) -> Path:
    # Apprise hands the URL back as given; "ccmoutbox:///abs" parses with the first path
    # segment as the host, so read netloc + path ourselves and put the root back.
    parts = urlsplit(url)
    return Path("/" + unquote(parts.netloc + parts.path).lstrip("/"))


@notify(on=SCHEME, name="ccm-tracker local outbox")
def write_to_outbox(
    body: str, title: str, notify_type: str, meta: dict[str, Any], *args: Any, **kwargs: Any
) -> bool:
    folder = folder_of(meta["url"])
    recipient = _SAFE.sub("_", (meta.get("qsd") or {}).get("to", "") or "everyone")
    folder.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    digest = hashlib.sha256(f"{title}\n{body}".encode()).hexdigest()[:8]
    stem = f"{stamp}-{recipient}-{digest}"
    _write(folder / f"{stem}.txt", f"To: {recipient}\nSubject: {title}\n\n{body}\n".encode())
    for attachment in kwargs.get("attach") or []:
        name = _SAFE.sub("_", attachment.name or "attachment")
        with attachment.open() as stream:
            _write(folder / f"{stem}-{name}", stream.read())
    return True


def _write(path: Path, content: bytes) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(content)
    os.replace(temporary, path)


accept_in_yaml_config(SCHEME)
