"""How long a recorded fact takes to reach the feed and the reminder plan, with no Prefect
server and no scan (a benchmark: it prints figures and asserts nothing).

    .venv/bin/python bench/record_to_feed.py

On a fresh SQLite database with the bundled registry: record the 2025 annual report of
Australia (the issue's example) through ``models.registry.record_report`` (the fact, its audit
row, the refresh of AUS's obligations, the revision bump, one commit), then read the reminder
plan's candidates and render the whole-registry feed, and check both show the report as met.
Floor, same run: a bare INSERT of the same report row and a commit.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

RUNS = 5
KEY = "CCM:AUS:art7_annual:2025"


def main() -> None:
    from sqlalchemy import text

    from calendars.feeds import Selection, feed_for
    from models.db import get_engine, migrate, session_scope
    from models.importer import BUNDLED_DIR, BUNDLED_FILES, import_csv
    from models.registry import record_report
    from notifications.planning import load_candidates
    from settings import get_settings, reset_settings_cache

    total, recording, floors = [], [], []
    for run in range(RUNS):
        folder = Path(tempfile.mkdtemp())
        url = f"sqlite:///{folder / 'ccm.db'}"
        os.environ["CCM_DATABASE_URL"] = url
        reset_settings_cache()
        migrate(url)
        with session_scope(url) as session:
            for name in BUNDLED_FILES:
                import_csv(BUNDLED_DIR / name, session=session, actor="bench")
        settings = get_settings()
        with session_scope(url) as session:  # warm the feed's caches, as a running server has
            feed_for(Selection(name="all"), session=session, settings=settings)

        started = time.perf_counter()
        with session_scope(url) as session:
            record_report(session=session, iso3="AUS", period=2025,
                          received_on=dt.date(2026, 4, 20), source="bench", actor="bench")
        recorded = time.perf_counter()
        with session_scope(url) as session:
            plan = {c.key: c.status for c in load_candidates(session=session,
                                                             as_of=dt.date(2026, 11, 29))}
            feed = feed_for(Selection(name="all"), session=session, settings=settings)
        done = time.perf_counter()
        assert plan[KEY] == "met", plan[KEY]
        block = feed.data.split(f"UID:{KEY}@".encode())[1].split(b"END:VEVENT")[0]
        assert b"X-CCM-STATUS:met" in block
        total.append(done - started)
        recording.append(recorded - started)

        with session_scope(url) as session:  # the floor: the same row, bare
            started = time.perf_counter()
            session.execute(text(
                "INSERT INTO report_received (iso3, kind, period, received_on, source) "
                "VALUES ('AUT', 'annual', 2025, '2026-04-20', 'bench')"))
        floors.append(time.perf_counter() - started)
        get_engine(url).dispose()

    def ms(values: list[float]) -> str:
        return f"{statistics.median(values) * 1000:8.1f} ms (median of {RUNS})"

    print("record a report -> reminder plan and feed, no Prefect, no scan (SQLite, bundled registry)")
    print(f"  floor: bare INSERT + commit          {ms(floors)}")
    print(f"  record_report (fact+audit+refresh)   {ms(recording)}")
    print(f"  record, then plan + whole feed read  {ms(total)}")


if __name__ == "__main__":
    main()
