"""The feed server: ``GET /feeds/<token>.ics`` and ``GET /healthz`` (FastAPI, run by uvicorn).

- 200 with ``text/calendar; charset=utf-8`` and a strong ETag from the exact bytes; 304 when
  ``If-None-Match`` names it (a wrong 304 would freeze a client, so the ETag is the bytes').
- Unknown, malformed and revoked tokens all answer the same 404.
- Tokens never reach a log: uvicorn's access log is off; ours shows a redacted path, escaped
  (``calendars.logtext``): a request for ``/feeds/%0d%0aX.ics`` cannot forge a log line.
- An event that cannot be rendered is left out (logged); the rest of the feed is served.
  ``/healthz`` renders the all-events feed: 200 ``ok``, 200 ``degraded`` naming the events
  left out, 503 ``error`` when the database cannot be read.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from calendars.feeds import Selection, feed_for
from calendars.logtext import for_log
from models.db import session_scope
from models.subscriptions import find_by_token
from notifications.web import actions_router
from settings import get_settings

log = logging.getLogger("ccm.feeds")
SUFFIX = ".ics"
MEDIA_TYPE = "text/calendar; charset=utf-8"
NOT_FOUND = b"no such feed\n"
ALL = Selection(name="CCM: all deadlines and meetings")  # what /healthz and the warm-up render


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:40] + '"'


def matches(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110 weak comparison, as If-None-Match requires; ``*`` matches any current body."""
    if not if_none_match:
        return False
    wanted = etag.removeprefix("W/")
    for candidate in if_none_match.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == wanted:
            return True
    return False


def warm_up(database_url: str | None = None) -> None:
    """Render the all-events feed once, so the first subscriber does not pay the cold cache
    (~0.5 s for 2,000 events; bench/feeds.py)."""
    with session_scope(database_url) as session:
        feed_for(ALL, session=session, settings=get_settings())


def create_app(database_url: str | None = None, *, warm: bool = True) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if warm:
            await run_in_threadpool(warm_up, database_url)
        yield

    app = FastAPI(title="ccm-tracker feeds", docs_url=None, redoc_url=None, openapi_url=None,
                  lifespan=lifespan)

    @app.api_route("/healthz", methods=["GET", "HEAD"])
    def healthz() -> JSONResponse:
        try:
            with session_scope(database_url) as session:
                rendered = feed_for(ALL, session=session, settings=get_settings())
        except Exception as error:  # the answer is the health check's truth
            log.exception("healthz: the all-events feed cannot be rendered")
            return JSONResponse({"status": "error", "reason": type(error).__name__}, 503)
        if rendered.skipped:
            return JSONResponse({
                "status": "degraded",
                "events": rendered.events,
                "left_out": [{"uid": s.uid, "reason": s.reason} for s in rendered.skipped],
            })
        return JSONResponse({"status": "ok", "events": rendered.events})

    @app.api_route("/feeds/{name}", methods=["GET", "HEAD"])
    def feed(name: str, request: Request) -> Response:
        token = name.removesuffix(SUFFIX)
        settings = get_settings()
        with session_scope(database_url) as session:
            subscription = find_by_token(session=session, token=token) if name.endswith(SUFFIX) else None
            if subscription is None:
                log.info("GET /feeds/%s… 404", for_log(token[:4]))
                return Response(NOT_FOUND, status_code=404, media_type="text/plain; charset=utf-8")
            body = feed_for(Selection.of(subscription), session=session, settings=settings).data
        etag = etag_of(body)
        headers = {
            "ETag": etag,
            "Cache-Control": "private, no-cache",
            "Referrer-Policy": "no-referrer",
            "X-Robots-Tag": "noindex",
        }
        if matches(request.headers.get("if-none-match"), etag):
            log.info("GET /feeds/%s… 304", for_log(token[:4]))
            return Response(status_code=304, headers=headers)
        log.info("GET /feeds/%s… 200 (%d bytes)", for_log(token[:4]), len(body))
        headers["Content-Disposition"] = 'inline; filename="ccm.ics"'
        return Response(body, media_type=MEDIA_TYPE, headers=headers)

    app.include_router(actions_router(database_url))  # action links, personal pages (issue 11)
    return app


def serve(host: str, port: int) -> None:
    import uvicorn

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    uvicorn.run(create_app(), host=host, port=port, access_log=False, log_level="info")
