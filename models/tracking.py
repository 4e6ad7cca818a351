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


# A register of a kind of fact is "kept" from a day on: from then, a past-due obligation
# that depends on it with nothing recorded is `overdue`; before, `unverified`.
REGISTER_PREFIX = "register_kept_since:"
# Importing a register file covers the whole past: nothing fell due before the Convention
# opened for signature (Art. 15).
WHOLE_PAST = dt.date(2008, 12, 3)


def registers(*, session: Session) -> dict[str, dt.date | None]:
    """Each register the rules know (``rules.obligations.KIND_REGISTER``) -> the day from
    which it is kept, or None while it is not kept (see README, "The first run")."""
    from rules.obligations import KIND_REGISTER

    found: dict[str, dt.date | None] = {name: None for name in set(KIND_REGISTER.values())}
    for name in found:
        row = session.get(TrackerSetting, REGISTER_PREFIX + name)
        found[name] = dt.date.fromisoformat(row.value) if row else None
    return found


def keep_register(*, session: Session, register: str, since: dt.date, replace: bool = False) -> dt.date:
    """Declare ``register`` kept from ``since``; an earlier day already stored wins unless
    ``replace`` (``init --tracking-since`` says it outright). Returns the day in force."""
    row = session.get(TrackerSetting, REGISTER_PREFIX + register)
    if row is None:
        session.add(TrackerSetting(name=REGISTER_PREFIX + register, value=since.isoformat()))
        return since
    stored = dt.date.fromisoformat(row.value)
    if replace or since < stored:
        row.value = since.isoformat()
        session.add(row)
        return since
    return stored
