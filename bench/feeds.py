"""How fast a 2,000-event feed renders (a benchmark: it prints figures and asserts nothing).

    .venv/bin/python bench/feeds.py

Baseline (same run): icalendar building and serialising the whole calendar each time.
Then our renderer cold (empty VEVENT cache), warm (cache filled), and the whole request path
(load 2,000 obligation rows from SQLite, select, render) as the server runs it.
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


from calendars import render
from calendars.model import DeadlineEvent
from tests.calendars.factories import make_meeting

NOW = dt.datetime(2026, 11, 26, tzinfo=dt.UTC)
EVENTS = 2_000


def deadlines(n: int) -> list[DeadlineEvent]:
    return [
        DeadlineEvent(
            key=f"CCM:S{i % 120:03d}:art7_annual:{2011 + i // 120}", version=1 + i % 3,
            due=dt.date(2012 + i // 120, 4, 30), summary=f"S{i % 120:03d}: Annual transparency report",
            description="What is due: Annual transparency report (Art. 7(2)).\nSend it to: the ISU.",
            categories=("Art. 7", "transparency"), url="https://www.clusterconvention.org/",
            met=i % 2 == 0, state=f"S{i % 120:03d}", kind="art7_annual", themes=("transparency",),
        )
        for i in range(n)
    ]


def timed(function, runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def baseline(items: list[DeadlineEvent]) -> bytes:
    calendar = render.calendar_header("bench")
    for item in items:
        event = render.deadline_vevent(item)
        event.add("dtstamp", NOW)
        calendar.add_component(event)
    return calendar.to_ical()


def request_path() -> tuple[float, int]:
    """2,000-odd real obligations (the bundled registry) in SQLite, rendered as the server does."""
    import os

    from calendars.feeds import Selection, feed_for
    from models.db import migrate, session_scope
    from models.importer import BUNDLED_DIR, BUNDLED_FILES, import_csv
    from models.obligations import compute_obligations, sync_obligations
    from settings import get_settings, reset_settings_cache

    folder = tempfile.mkdtemp()
    os.environ["CCM_DATABASE_URL"] = f"sqlite:///{folder}/bench.db"
    reset_settings_cache()
    settings = get_settings()
    migrate()
    with session_scope() as session:
        for name in BUNDLED_FILES:
            import_csv(BUNDLED_DIR / name, session=session, actor="bench")
    with session_scope() as session:
        found = compute_obligations(session=session, as_of=NOW.date(), settings=settings)
        sync_obligations(session=session, computed=found, as_of=NOW.date(), tracking_since=None)

    def once() -> bytes:
        with session_scope() as session:
            return feed_for(Selection(name="all"), session=session, settings=settings)

    size = once().count(b"BEGIN:VEVENT")
    return timed(once, 10), size


def main() -> None:
    items = deadlines(EVENTS - 40)
    meetings = [make_meeting(slug=f"m{i}", start=(2020 + i // 8, 1 + i % 12, 10, 10, 0),
                             timezone=("Europe/Zurich", "Asia/Bangkok")[i % 2]) for i in range(40)]
    base = timed(lambda: baseline(items + []), 3)

    def ours() -> bytes:
        return render.render_feed(name="bench", deadlines=items, meetings=meetings, now=NOW)

    render.cache_clear()
    cold = timed(lambda: (render.cache_clear(), ours()), 3)
    ours()
    warm = timed(ours, 20)
    new_stamp = timed(lambda: render.render_feed(
        name="bench", deadlines=items, meetings=meetings, now=NOW + dt.timedelta(days=1)), 20)
    path, size = request_path()
    print(f"feed of {EVENTS} events ({len(meetings)} timed meetings, 2 zones), median ms:")
    print(f"  baseline: icalendar builds + serialises all  {base:8.1f} ms  (1.00x)")
    print(f"  ours, cold cache                             {cold:8.1f} ms  ({cold / base:.2f}x)")
    print(f"  ours, warm cache                             {warm:8.1f} ms  ({warm / base:.3f}x)")
    print(f"  ours, warm cache, new DTSTAMP                {new_stamp:8.1f} ms  ({new_stamp / base:.3f}x)")
    print(f"  request path (SQLite, {size} real obligations, load+select+render, warm) "
          f"{path:6.1f} ms")


if __name__ == "__main__":
    main()
