"""Rendered feeds kept by what decides their bytes: the selection, the data's revision and
the day (Europe/Zurich; a feed is "as of today", so a deadline turning overdue at midnight
gives a new entry, not a stale one).

Why this is exact: the revision (``models.revision.current``) grows in the same transaction
as any fact or obligation change, and the server reads it *before* it reads the data it
renders. So an entry's bytes are never older than its revision; at worst newer (a writer
committed between the two reads), and the next request sees the newer revision anyway.

Each entry keeps its bytes, its ETag (from the exact bytes), its gzip encoding (made once,
on first demand) and its Last-Modified. Last-Modified is when this process first rendered
those bytes for the selection (an entry whose bytes equal the previous one's keeps its
date), to the second and strictly after the previous different body's, so an
If-Modified-Since a client got from this process never hides a change.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

from calendars.render import RenderedFeed, Skipped

MAX_ENTRIES = 512  # selections x days x revisions kept; the oldest goes first
GZIP_LEVEL = 6


def etag_of(body: bytes) -> str:
    """A strong ETag from the exact bytes (SHA-256, 160 bits, quoted)."""
    return '"' + hashlib.sha256(body).hexdigest()[:40] + '"'


@dataclass(slots=True)
class CachedFeed:
    data: bytes
    etag: str
    last_modified: dt.datetime  # aware UTC, whole seconds
    events: int
    skipped: tuple[Skipped, ...]
    _gzipped: bytes | None = field(default=None, repr=False)

    @property
    def gzip_etag(self) -> str:
        """The gzip encoding is another representation: its own strong ETag."""
        return self.etag[:-1] + '-gzip"'

    def gzipped(self) -> bytes:
        """The body gzip-encoded (level 6), made once; ``mtime=0`` keeps it deterministic."""
        if self._gzipped is None:
            self._gzipped = gzip.compress(self.data, compresslevel=GZIP_LEVEL, mtime=0)
        return self._gzipped


class FeedCache:
    """An LRU map from (selection, revision, day) to ``CachedFeed``, safe across threads.

    ``get_or_render`` renders a missing entry once even when many requests ask at the same
    time (the others wait for it), so a revision change costs one render per selection.
    """

    def __init__(self, max_entries: int = MAX_ENTRIES,
                 clock: Callable[[], dt.datetime] | None = None) -> None:
        self._entries: OrderedDict[Hashable, CachedFeed] = OrderedDict()
        self._latest: dict[Hashable, CachedFeed] = {}  # selection -> its newest entry
        self._rendering: dict[Hashable, threading.Lock] = {}
        self._lock = threading.Lock()
        self._max = max_entries
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC))

    def get(self, key: Hashable) -> CachedFeed | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def get_or_render(
        self, selection: Hashable, revision: int, day: dt.date,
        render: Callable[[], RenderedFeed],
    ) -> CachedFeed:
        key = (selection, revision, day)
        found = self.get(key)
        if found is not None:
            return found
        with self._lock:
            gate = self._rendering.setdefault(key, threading.Lock())
        with gate:
            found = self.get(key)
            if found is not None:
                return found
            started = self._clock().astimezone(dt.UTC).replace(microsecond=0)
            entry = self._entry(selection, render(), started)
            with self._lock:
                self._entries[key] = entry
                self._latest[selection] = entry
                while len(self._entries) > self._max:
                    self._entries.popitem(last=False)
                self._rendering.pop(key, None)
            return entry

    def _entry(self, selection: Hashable, rendered: RenderedFeed,
               started: dt.datetime) -> CachedFeed:
        etag = etag_of(rendered.data)
        with self._lock:
            previous = self._latest.get(selection)
        if previous is not None and previous.etag == etag:
            modified = previous.last_modified  # same bytes: same date, clients keep their 304
        elif previous is not None and started <= previous.last_modified:
            modified = previous.last_modified + dt.timedelta(seconds=1)
        else:
            modified = started
        return CachedFeed(rendered.data, etag, modified, rendered.events, rendered.skipped)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._latest.clear()
