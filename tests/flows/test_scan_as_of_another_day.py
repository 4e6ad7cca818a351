"""`scan --as-of` another day than today reports that day's obligations and stores nothing:
the stored statuses (which reminders, feeds and pages read) stay those of the last scan as of
its own day, and no event announces a change that did not happen."""

import pytest
from sqlalchemy import text

from models.db import get_engine
from tests.cli.running import ccm_here


def _stored(url: str) -> list[tuple]:
    with get_engine(url).connect() as connection:
        rows = connection.execute(text("SELECT * FROM obligation ORDER BY key")).all()
        settings = connection.execute(text("SELECT * FROM tracker_setting ORDER BY name")).all()
    return [tuple(r) for r in rows] + [tuple(s) for s in settings]


@pytest.mark.parametrize("day", ["2021-06-01", "2030-01-01"], ids=["past", "future"])
def test_a_scan_as_of_another_day_reports_that_day_and_stores_nothing(database_url, capsys, monkeypatch, day):
    monkeypatch.setenv("CCM_EMIT_EVENTS", "false")
    assert ccm_here(capsys, "init")[0] == 0
    before = _stored(database_url)
    code, out, err = ccm_here(capsys, "scan", "--no-prefect", "--as-of", day)
    assert code == 0, err
    assert out.splitlines()[0].startswith(f"scan of every State as of {day}: ")
    assert ("changes: nothing stored: a scan as of a day other than today (Geneva) only reports"
            in out)
    assert _stored(database_url) == before


def test_a_scan_as_of_today_stores(database_url, capsys, monkeypatch):
    from clock import today_in_geneva

    monkeypatch.setenv("CCM_EMIT_EVENTS", "false")
    assert ccm_here(capsys, "init")[0] == 0
    code, out, err = ccm_here(capsys, "scan", "--no-prefect", "--as-of", today_in_geneva().isoformat())
    assert code == 0, err
    assert "nothing stored" not in out and "were already stored" in out
