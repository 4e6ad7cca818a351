"""A writer of one convention's facts refreshes that convention's obligations only
(``models.refresh.refresh_obligations(treaties=...)``): a CCM fact never changes a State's
obligations under the APMBC, so its APMBC rows stay as the last refresh left them, and a
refresh of every convention afterwards finds nothing to change in them."""

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlmodel import Session, select

from clock import today_in_geneva
from models.db import get_engine
from models.refresh import refresh_obligations
from models.registry import record_report
from models.tables import Obligation
from tests.treaties.test_bundled_apmbc import load_everything


def rows_of(session: Session, treaty: str, iso3: str) -> dict[str, tuple]:
    found = session.exec(select(Obligation).where(Obligation.treaty == treaty, Obligation.state == iso3)).all()
    return {o.key: (o.due, o.original_due, o.status, o.met_on, o.version, o.note, o.scanned_on) for o in found}


@pytest.fixture
def refreshed_yesterday(database_url) -> Iterator[Session]:
    """A session on every registry (both conventions), every obligation refreshed as of
    yesterday and committed."""
    with Session(get_engine(database_url)) as session:
        load_everything(session)
        refresh_obligations(session=session, all_states=True, committee=True,
                            as_of=today_in_geneva() - dt.timedelta(days=1))
        session.commit()
        yield session


def test_a_ccm_fact_refreshes_the_states_ccm_rows_and_leaves_its_apmbc_rows_as_they_were(refreshed_yesterday):
    session = refreshed_yesterday
    today = today_in_geneva()
    yesterday = today - dt.timedelta(days=1)
    apmbc_before = rows_of(session, "APMBC", "AFG")
    assert apmbc_before  # Afghanistan is party to both conventions

    recorded = record_report(session=session, iso3="AFG", period=2025, received_on=dt.date(2026, 4, 30),
                             source="test", actor="test")
    session.commit()
    assert recorded.change == "added"
    assert rows_of(session, "APMBC", "AFG") == apmbc_before  # not refreshed: scanned yesterday still
    ccm = rows_of(session, "CCM", "AFG")
    assert {row[-1] for row in ccm.values()} == {today}
    assert ccm["CCM:AFG:art7_annual:2025"][3] == dt.date(2026, 4, 30)

    # what a refresh of every convention computes for the APMBC rows is what they hold
    refresh_obligations(session=session, states=["AFG"], as_of=yesterday)
    session.commit()
    assert rows_of(session, "APMBC", "AFG") == apmbc_before


def test_refreshes_merged_in_one_block_cover_every_convention_any_of_them_asked_for(refreshed_yesterday):
    from models.refresh import deferred

    session = refreshed_yesterday
    today = today_in_geneva()
    yesterday = today - dt.timedelta(days=1)
    with deferred(session):
        refresh_obligations(session=session, states=["AFG"], treaties=["CCM"])
        refresh_obligations(session=session, states=["AFG"])  # every convention
    session.commit()
    assert {row[-1] for row in rows_of(session, "APMBC", "AFG").values()} == {today}
    with deferred(session, as_of=yesterday):
        refresh_obligations(session=session, states=["AFG"], treaties=["CCM"])
        refresh_obligations(session=session, states=["AFG"], treaties=["ccm"])
    session.commit()
    assert {row[-1] for row in rows_of(session, "APMBC", "AFG").values()} == {today}
    assert {row[-1] for row in rows_of(session, "CCM", "AFG").values()} == {yesterday}
