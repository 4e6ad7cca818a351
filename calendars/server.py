"""The feed server: ``GET /feeds/<token>.ics`` and ``GET /healthz`` (FastAPI, run by uvicorn).

- Answers from cache (``calendars.feedcache``): a request reads the subscription and the
  data's revision (two indexed one-row reads); the bytes, ETag and gzip encoding of its
  selection for that revision and day are kept, so a conditional GET is answered without
  rendering, and a 200 sends kept bytes. A fact recorded changes the revision, so the next
  request renders again.
- 200 with ``text/calendar; charset=utf-8``, a strong ETag from the exact bytes and
  ``Last-Modified``; 304 when ``If-None-Match`` names the ETag (a wrong 304 would freeze a
  client, so the ETag is the bytes'), or, without ``If-None-Match``, when
  ``If-Modified-Since`` is not before ``Last-Modified`` (RFC 9110 13.1.3). gzip when the
  client accepts it (``Vary: Accept-Encoding``; the gzip body has its own ETag).
- Unknown, malformed and revoked tokens all answer the same 404.
- Tokens never reach a log: uvicorn's access log is off; ours shows a redacted path, escaped
  (``calendars.logtext``): a request for ``/feeds/%0d%0aX.ics`` cannot forge a log line.
- An event that cannot be rendered is left out (logged); the rest of the feed is served.
  ``/healthz`` answers from the all-events feed: 200 ``ok``, 200 ``degraded`` naming the
  events left out, 503 ``error`` when the database cannot be read.
- ``create_app`` returns a plain FastAPI app: other routers join it with
  ``app.include_router(...)``.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from email.utils import format_datetime, parsedate_to_datetime

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import Connection, bindparam, select
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from calendars.feedcache import CachedFeed, FeedCache, etag_of
from calendars.feeds import Selection, all_events, feed_for
from calendars.logtext import for_log
from clock import today_in_geneva
from models.db import get_engine, require_database, session_scope
from models.revision import current as data_revision
from models.subscriptions import Subscription, hash_token
from notifications.web import actions_router
from settings import get_settings

log = logging.getLogger("ccm.feeds")
SUFFIX = ".ics"
MEDIA_TYPE = "text/calendar; charset=utf-8"
NOT_FOUND = b"no such feed\n"
ALL = all_events()  # what /healthz and the warm-up render

__all__ = ["create_app", "etag_of", "matches", "serve"]


def matches(if_none_match: str | None, *etags: str) -> bool:
    """RFC 9110 weak comparison, as If-None-Match requires; ``*`` matches any current body."""
    if not if_none_match:
        return False
    wanted = {etag.removeprefix("W/") for etag in etags}
    for candidate in if_none_match.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") in wanted:
            return True
    return False


def not_modified_since(if_modified_since: str | None, last_modified: dt.datetime) -> bool:
    """True when the client's copy is dated at or after ``last_modified`` (bad dates: False)."""
    if not if_modified_since:
        return False
    try:
        since = parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError, IndexError):
        return False
    if since.tzinfo is None:
        return False  # RFC 9110 dates are GMT; a date without a zone is not one
    return last_modified <= since


def accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether ``Accept-Encoding`` allows gzip (``gzip``/``x-gzip``/``*`` with q > 0)."""
    for part in (accept_encoding or "").lower().split(","):
        name, _, params = part.strip().partition(";")
        if name.strip() not in ("gzip", "x-gzip", "*"):
            continue
        quality = params.strip().removeprefix("q=")
        try:
            if not params or float(quality) > 0:
                return True
        except ValueError:
            continue
    return False


_SUBSCRIPTION = Subscription.__table__  # type: ignore[attr-defined]
_BY_HASH = select(_SUBSCRIPTION).where(_SUBSCRIPTION.c.token_hash == bindparam("token_hash"))


def active_subscription(connection: Connection, token_hash: str) -> Subscription | None:
    """``models.subscriptions.find_by_token`` on a bare connection: the active subscription
    whose token has ``token_hash``, or None for unknown, malformed and revoked tokens."""
    row = connection.execute(_BY_HASH, {"token_hash": token_hash}).first()
    if row is None or row.revoked_at is not None:
        return None
    return Subscription.model_construct(**row._mapping)


class TokenIndex:
    """Token hash -> its subscription's ``Selection``, valid for one data revision.

    Creating, rotating and revoking a subscription bump the revision, so an entry of an
    older revision is never used: a revoked token answers 404 on the next request. Only
    tokens that found a subscription are kept (at most ``MAX_TOKENS``: then it starts over).
    """

    MAX_TOKENS = 10_000

    def __init__(self) -> None:
        self._found: dict[str, tuple[int, Selection]] = {}

    def get(self, token_hash: str, revision: int) -> Selection | None:
        kept = self._found.get(token_hash)
        return kept[1] if kept is not None and kept[0] == revision else None

    def put(self, token_hash: str, revision: int, selection: Selection) -> Selection:
        if len(self._found) >= self.MAX_TOKENS:
            self._found.clear()
        self._found[token_hash] = (revision, selection)
        return selection


def cached_feed(
    cache: FeedCache, selection: Selection, *, session: Session, day: dt.date | None = None
) -> CachedFeed:
    """The selection's feed from cache, rendered on a miss. The revision is read before the
    data (see ``calendars.feedcache``)."""
    revision = data_revision(session)
    day = day or today_in_geneva()
    return render_into(cache, selection, revision, day, session=session)


def render_into(
    cache: FeedCache, selection: Selection, revision: int, day: dt.date, *, session: Session
) -> CachedFeed:
    """Render the selection for ``revision`` (read before this call) and ``day``, once."""
    settings = get_settings()
    return cache.get_or_render(
        selection, revision, day,
        lambda: feed_for(selection, session=session, settings=settings, as_of=day),
    )


def create_app(database_url: str | None = None, *, warm: bool = True,
               cache: FeedCache | None = None) -> FastAPI:
    feeds = cache or FeedCache()

    def warm_up() -> None:
        """Render the all-events feed once, so the first subscriber does not pay the cold
        event cache (~0.5 s for 2,000 events; bench/feeds.py)."""
        with session_scope(database_url) as session:
            cached_feed(feeds, ALL, session=session)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if warm:
            await run_in_threadpool(warm_up)
        yield

    app = FastAPI(title="ccm-tracker feeds", docs_url=None, redoc_url=None, openapi_url=None,
                  lifespan=lifespan)
    app.state.feed_cache = feeds

    @app.api_route("/healthz", methods=["GET", "HEAD"])
    def healthz() -> JSONResponse:
        try:
            with session_scope(database_url) as session:
                entry = cached_feed(feeds, ALL, session=session)
        except Exception:  # the answer is the health check's truth
            log.exception("healthz: the all-events feed cannot be rendered")
            return JSONResponse({"status": "error", "reason": "the feeds cannot be rendered"},
                                503)
        if entry.skipped:
            return JSONResponse({
                "status": "degraded",
                "events": entry.events,
                "left_out": [{"uid": s.uid, "reason": s.reason} for s in entry.skipped],
            })
        return JSONResponse({"status": "ok", "events": entry.events})

    tokens = TokenIndex()

    def lookup(token: str) -> tuple[Selection, int, dt.date, CachedFeed | None] | None:
        """The revision (one one-row read on a pooled connection), the token's selection
        (kept per revision: subscription writes bump it too), and the entry if kept."""
        require_database(database_url)  # connecting would create a missing SQLite file
        token_hash = hash_token(token)
        with get_engine(database_url).connect() as connection:
            revision = data_revision(connection)  # type: ignore[arg-type]
            selection = tokens.get(token_hash, revision)
            if selection is None:
                subscription = active_subscription(connection, token_hash)
                if subscription is None:
                    return None
                selection = tokens.put(token_hash, revision, Selection.of(subscription))
        day = today_in_geneva()
        return selection, revision, day, feeds.get((selection, revision, day))

    def render_missing(selection: Selection, revision: int, day: dt.date) -> CachedFeed:
        with session_scope(database_url) as session:
            return render_into(feeds, selection, revision, day, session=session)

    # A plain Starlette route (no FastAPI parameter solving: it is the hot path), async: a
    # kept feed is answered on the event loop after one short read, with no thread hop
    # (threads contending for the GIL cost more than the read); only a render goes to a
    # worker thread.
    async def feed(request: Request) -> Response:
        name = request.path_params["name"]
        token = name.removesuffix(SUFFIX)
        shown = for_log(token[:4])
        found = lookup(token) if name.endswith(SUFFIX) else None
        if found is None:
            log.info("GET /feeds/%s… 404", shown)
            return Response(NOT_FOUND, status_code=404, media_type="text/plain; charset=utf-8")
        selection, revision, day, entry = found
        if entry is None:
            entry = await run_in_threadpool(render_missing, selection, revision, day)
        return respond(entry, request, shown)

    app.add_route("/feeds/{name}", feed, methods=["GET", "HEAD"])

    def respond(entry: CachedFeed, request: Request, shown: str) -> Response:
        zipped = accepts_gzip(request.headers.get("accept-encoding"))
        headers = {
            "ETag": entry.gzip_etag if zipped else entry.etag,
            "Last-Modified": format_datetime(entry.last_modified, usegmt=True),
            "Cache-Control": "private, no-cache",
            "Vary": "Accept-Encoding",
            "Referrer-Policy": "no-referrer",
            "X-Robots-Tag": "noindex",
        }
        if_none_match = request.headers.get("if-none-match")
        if (matches(if_none_match, entry.etag, entry.gzip_etag) if if_none_match
                else not_modified_since(request.headers.get("if-modified-since"),
                                        entry.last_modified)):
            log.info("GET /feeds/%s… 304", shown)
            return Response(status_code=304, headers=headers)
        headers["Content-Disposition"] = 'inline; filename="ccm.ics"'
        if zipped:
            headers["Content-Encoding"] = "gzip"
        body = entry.gzipped() if zipped else entry.data
        log.info("GET /feeds/%s… 200 (%d bytes%s)", shown, len(body), ", gzip" if zipped else "")
        return Response(body, media_type=MEDIA_TYPE, headers=headers)

    app.include_router(actions_router(database_url))  # action links, personal pages (issue 11)
    return app


def serve(host: str, port: int) -> None:
    import uvicorn

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    uvicorn.run(create_app(), host=host, port=port, access_log=False, log_level="info")
