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


def bump(session: Session, *, now: dt.datetime | None = None) -> int:
    """Add one to the revision inside the caller's transaction (committed with the facts) and
    return it: the revision this write produces.

    A row-level UPDATE: concurrent writers on PostgreSQL queue on the one row, so no bump
    is lost, and the row stays locked until the caller commits, so the value read back is
    this transaction's own (never a later writer's).
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
    return current(session)


def current(session: Session) -> int:
    """The revision the session sees (0 before any write)."""
    table = DataRevision.__table__  # type: ignore[attr-defined]
    value = session.execute(select(table.c.revision).where(table.c.id == 1)).scalar()
    return int(value or 0)
