"""The append-only audit log: every fact written says who, when, what and from where."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlmodel import Session

from models.tables import AuditEntry


def audit(
    *,
    session: Session,
    actor: str,
    action: str,
    subject: str = "",
    detail: dict[str, Any] | None = None,
    source: str = "",
    at: dt.datetime | None = None,
) -> AuditEntry:
    """Add an audit row to ``session`` (it commits with the fact it describes)."""
    entry = AuditEntry(
        at=at or dt.datetime.now(dt.UTC),
        actor=_fit(actor, 120),
        action=action,
        subject=_fit(subject, 128),
        detail=json.dumps(detail or {}, default=str, sort_keys=True),
        source=source,
    )
    session.add(entry)
    return entry


def _fit(text: str, limit: int) -> str:
    """The columns' lengths (PostgreSQL enforces them): a long file name or actor is kept
    whole in ``detail``/``source`` and shortened here, never a traceback."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
