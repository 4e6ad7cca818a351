"""Obligations that are history (due before tracking began, nothing recorded) stay out of feeds."""

import datetime as dt

from sqlmodel import Session

from calendars.sources import load_deadlines
from models.db import get_engine
from models.obligations import compute_obligations, sync_obligations
from settings import get_settings
from tests.factories import make_state


def test_history_obligations_are_left_out_and_current_ones_stay(database_url):
    as_of, since = dt.date(2026, 11, 26), dt.date(2026, 1, 1)
    with Session(get_engine(database_url)) as session:
        make_state(session)
        session.commit()
        computed = compute_obligations(session=session, as_of=as_of, settings=get_settings())
        sync_obligations(session=session, computed=computed, as_of=as_of, tracking_since=since)
        session.commit()
        keys = {event.key for event in load_deadlines(session=session, settings=get_settings())}
    assert "CCM:AFG:art7_annual:2025" in keys  # due 2026-04-30: overdue, news
    assert "CCM:AFG:art7_annual:2026" in keys  # open
    assert "CCM:AFG:art7_initial" not in keys  # due 2012: history
    assert "CCM:AFG:art7_annual:2013" not in keys
