"""The tracking-since date: obligations due before it with no fact recorded are history."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session

from models.tables import TrackerSetting

TRACKING_SINCE = "tracking_since"


def stored_tracking_since(*, session: Session) -> dt.date | None:
    row = session.get(TrackerSetting, TRACKING_SINCE)
    return dt.date.fromisoformat(row.value) if row else None


def ensure_tracking_since(*, session: Session, default: dt.date) -> dt.date:
    """Keep the first value ever stored; store ``default`` when there is none yet."""
    existing = stored_tracking_since(session=session)
    if existing is not None:
        return existing
    session.add(TrackerSetting(name=TRACKING_SINCE, value=default.isoformat()))
    return default


def set_tracking_since(*, session: Session, day: dt.date) -> None:
    row = session.get(TrackerSetting, TRACKING_SINCE)
    if row is None:
        session.add(TrackerSetting(name=TRACKING_SINCE, value=day.isoformat()))
    else:
        row.value = day.isoformat()
        session.add(row)


def tracking_since(*, session: Session, override: dt.date | None) -> dt.date | None:
    """The setting (CCM_TRACKING_SINCE) wins over the stored value."""
    return override or stored_tracking_since(session=session)
