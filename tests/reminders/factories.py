"""Hand-written factories for reminder tests."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from itsdangerous import URLSafeTimedSerializer
from sqlmodel import Session, select

from models.tables import Obligation
from notifications.recipients import add_recipient

NOW = dt.datetime(2026, 3, 2, 7, 0, tzinfo=dt.UTC)


def make_obligation(
    session: Session,
    state: str | None = "AFG",
    kind: str = "art7_annual",
    period: str | None = "2025",
    due: dt.date = dt.date(2026, 4, 30),
    status: str = "open",
    version: int = 1,
    note: str = "",
    treaty: str = "CCM",
) -> Obligation:
    key = ":".join([treaty, state or "CC", kind, *([period] if period else [])])
    row = Obligation(
        key=key, state=state, kind=kind, period=period, due=due, original_due=due,
        status=status, version=version, note=note, treaty=treaty,
    )
    session.add(row)
    return row


def make_recipient(session: Session, name: str = "alice", tag: str | None = None, **filters):  # type: ignore[no-untyped-def]
    return add_recipient(session=session, name=name, tag=tag or name, now=NOW, **filters)


def write_apprise_config(path: Path, urls: dict[str, str]) -> Path:
    """An Apprise YAML config: one URL per tag."""
    lines = ["version: 1", "urls:"]
    for tag, url in urls.items():
        lines += [f'  - "{url}":', f"      - tag: {tag}"]
    path.write_text("\n".join(lines) + "\n")
    return path


def smtp_url(port: int, to: str) -> str:
    return f"mailto://127.0.0.1:{port}?from=isu@example.org&to={to}"


_ACT = re.compile(r"/act/([A-Za-z0-9_.\-]+)\?do=ack")


def digest_rows(message) -> list[int]:  # type: ignore[no-untyped-def]
    """The outbox row ids of a received digest, read from its Acknowledge links (the text
    part, as a client shows it; the row is inside the signed token, not in the words)."""
    text = message.get_body(preferencelist=("plain",)).get_content()
    reader = URLSafeTimedSerializer("unused", salt="ccm-act")
    return [reader.loads_unsafe(token)[1] for token in _ACT.findall(text)]


def digest_keys(message, url: str) -> list[str]:  # type: ignore[no-untyped-def]
    """The obligation keys of a received digest (through its rows' links)."""
    from models.db import session_scope
    from models.reminders import Reminder

    ids = digest_rows(message)
    with session_scope(url) as session:
        keys = {r.id: r.obligation_key for r in session.exec(
            select(Reminder).where(Reminder.id.in_(ids))).all()}  # type: ignore[union-attr]
    return [keys[i] for i in ids]
