"""Fixtures only the Committee's tests need: a demo-loaded database and the two States
(the CLI runner, `run`, is tests/conftest.py's)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest

from models.db import session_scope
from tests.factories import make_state


@pytest.fixture
def demo(run: Callable[..., Any]) -> Callable[..., Any]:
    """The demo dataset loaded (with the bundled registry); returns the runner."""
    run("demo", "load")
    return run


def as_json(result: Any) -> Any:
    return json.loads(result.stdout)


@pytest.fixture
def states(database_url: str) -> str:
    """Afghanistan and Albania in the CCM's registry and the APMBC's (the money tests' two
    States, party to both), and Thailand in the APMBC's only."""
    from models.treaty_tables import TreatyParty

    with session_scope() as session:
        make_state(session)
        make_state(session, "ALB", "Albania", deposit=dt.date(2009, 6, 16))
        for iso3, name, deposit in [("AFG", "Afghanistan", dt.date(2002, 9, 11)),
                                    ("ALB", "Albania", dt.date(2000, 2, 29)),
                                    ("THA", "Thailand", dt.date(1998, 11, 27))]:
            session.add(TreatyParty(treaty="APMBC", iso3=iso3, name=name, deposit_date=deposit,
                                    instrument="ratification", source="test", notes=""))
    return database_url
