"""The feed cache: kept by selection, revision and day; rendered once per key; dates honest."""

from __future__ import annotations

import datetime as dt
import gzip
import threading
import time

from calendars.feedcache import FeedCache, etag_of
from calendars.render import RenderedFeed

T0 = dt.datetime(2026, 11, 26, 8, 0, 0, 400_000, tzinfo=dt.UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> dt.datetime:
        return self.now


def renderer(body: bytes, calls: list[bytes]):
    def render() -> RenderedFeed:
        calls.append(body)
        return RenderedFeed(body, body.count(b"BEGIN:VEVENT"))
    return render


def test_the_same_selection_revision_and_day_renders_once_and_keeps_the_bytes():
    cache, calls = FeedCache(), []
    day = dt.date(2026, 11, 26)
    cache.get_or_render("all", 7, day, renderer(b"one", calls))
    again = cache.get_or_render("all", 7, day, renderer(b"two", calls))
    assert (again.data, again.etag, calls) == (b"one", etag_of(b"one"), [b"one"])


def test_a_new_revision_or_a_new_day_renders_again():
    cache, calls = FeedCache(), []
    day = dt.date(2026, 11, 26)
    cache.get_or_render("all", 7, day, renderer(b"one", calls))
    assert cache.get_or_render("all", 8, day, renderer(b"two", calls)).data == b"two"
    tomorrow = day + dt.timedelta(days=1)
    assert cache.get_or_render("all", 8, tomorrow, renderer(b"three", calls)).data == b"three"
    assert calls == [b"one", b"two", b"three"]


def test_many_requests_for_a_missing_entry_render_it_once():
    cache, calls = FeedCache(), []

    def slow() -> RenderedFeed:
        calls.append(b"x")
        time.sleep(0.05)
        return RenderedFeed(b"x", 0)

    threads = [threading.Thread(target=cache.get_or_render,
                                args=("all", 1, dt.date(2026, 1, 1), slow)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert calls == [b"x"]


def test_last_modified_stays_for_the_same_bytes_and_grows_for_new_ones_within_a_second():
    clock = Clock()
    cache, calls = FeedCache(clock=clock), []
    day = dt.date(2026, 11, 26)
    first = cache.get_or_render("all", 1, day, renderer(b"one", calls))
    assert first.last_modified == T0.replace(microsecond=0)
    clock.now = T0 + dt.timedelta(minutes=5)
    same = cache.get_or_render("all", 2, day, renderer(b"one", calls))  # another part changed
    assert same.last_modified == first.last_modified and same.etag == first.etag
    clock.now = T0 + dt.timedelta(minutes=5, milliseconds=300)  # the same second
    changed = cache.get_or_render("all", 3, day, renderer(b"two", calls))
    assert changed.last_modified > same.last_modified


def test_the_gzip_body_is_the_same_bytes_compressed_with_its_own_etag():
    entry = FeedCache().get_or_render("all", 1, dt.date(2026, 1, 1),
                                      renderer(b"BEGIN:VCALENDAR\r\n" * 100, []))
    assert gzip.decompress(entry.gzipped()) == entry.data
    assert entry.gzipped() is entry.gzipped()  # made once
    assert entry.gzip_etag != entry.etag


def test_the_oldest_entries_go_when_the_cache_is_full():
    cache = FeedCache(max_entries=2)
    for revision in (1, 2, 3):
        cache.get_or_render("all", revision, dt.date(2026, 1, 1), renderer(b"%d" % revision, []))
    assert cache.get(("all", 1, dt.date(2026, 1, 1))) is None
    assert cache.get(("all", 3, dt.date(2026, 1, 1))) is not None
