"""The data revision: one counter that grows with every write of facts.

Every writer bumps it in the transaction that writes the facts and their obligations
(``models.refresh``), so a reader that saw revision N and sees N again knows that nothing
it read has changed: the feed server keys its cache on it.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlmodel import Session

from models.tables import DataRevision


def bump(session: Session, *, now: dt.datetime | None = None) -> None:
    """Add one to the revision inside the caller's transaction (committed with the facts).

    A row-level UPDATE: concurrent writers on PostgreSQL queue on the one row, so no bump
    is lost; the caller commits.
    """
    table = DataRevision.__table__  # type: ignore[attr-defined]
    changed = session.execute(
        update(table)
        .where(table.c.id == 1)
        .values(revision=table.c.revision + 1, changed_at=now or dt.datetime.now(dt.UTC))
    ).rowcount
    if not changed:  # a database created by create_all, not by the migration
        session.add(DataRevision(id=1, revision=1, changed_at=now or dt.datetime.now(dt.UTC)))
        session.flush()


def current(session: Session) -> int:
    """The revision the session sees (0 before any write)."""
    table = DataRevision.__table__  # type: ignore[attr-defined]
    value = session.execute(select(table.c.revision).where(table.c.id == 1)).scalar()
    return int(value or 0)
