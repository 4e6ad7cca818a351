"""The feed server over real HTTP (uvicorn on loopback): 200, 304, 404, and a guessed token."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn

from calendars.server import create_app
from models.db import session_scope
from models.subscriptions import create_subscription, revoke_subscription
from tests.calendars.factories import NOW, scan
from tests.calendars.parsing import parse_everywhere
from tests.conftest import free_port
from tests.factories import make_state


@pytest.fixture
def feed_server(database_url) -> Iterator[str]:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(
        create_app(database_url), host="127.0.0.1", port=port, log_level="warning",
        access_log=False,
    ))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def subscribed(database_url) -> str:
    with session_scope() as session:
        make_state(session)
        scan(session)
        _, token = create_subscription(session=session, name="Transparency", themes=["transparency"], now=NOW)
    return token


def test_feed_is_served_as_text_calendar_with_a_strong_etag_from_its_bytes(feed_server, subscribed):
    response = httpx.get(f"{feed_server}/feeds/{subscribed}.ics")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    etag = response.headers["etag"]
    assert not etag.startswith("W/")
    assert etag == '"' + hashlib.sha256(response.content).hexdigest()[:40] + '"'
    events = parse_everywhere(response.content)
    assert "CCM:AFG:art7_initial@ccm-tracker" in events
    assert all("transparency" in e["categories"] for e in events.values())


def test_if_none_match_with_the_current_etag_answers_304_without_a_body(feed_server, subscribed):
    url = f"{feed_server}/feeds/{subscribed}.ics"
    etag = httpx.get(url).headers["etag"]
    again = httpx.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    other = httpx.get(url, headers={"If-None-Match": '"stale", W/"older"'})
    assert other.status_code == 200


def test_a_change_in_the_data_changes_the_etag(feed_server, subscribed, database_url):
    url = f"{feed_server}/feeds/{subscribed}.ics"
    etag = httpx.get(url).headers["etag"]
    import datetime as dt

    with session_scope() as session:
        scan(session, as_of=dt.date(2027, 5, 1))  # a new annual report appears
    fresh = httpx.get(url, headers={"If-None-Match": etag})
    assert fresh.status_code == 200
    assert fresh.headers["etag"] != etag
    assert "CCM:AFG:art7_annual:2027@ccm-tracker" in parse_everywhere(fresh.content)


def test_unknown_revoked_and_wrongly_guessed_tokens_all_answer_the_same_404(feed_server, subscribed):
    near_miss = subscribed[:-1] + ("A" if subscribed[-1] != "A" else "B")
    answers = [
        httpx.get(f"{feed_server}/feeds/{near_miss}.ics"),
        httpx.get(f"{feed_server}/feeds/{'x' * 32}.ics"),
        httpx.get(f"{feed_server}/feeds/{subscribed}"),  # no .ics
        httpx.get(f"{feed_server}/feeds/.ics"),
    ]
    with session_scope() as session:
        revoke_subscription(session=session, ref="Transparency", now=NOW)
    answers.append(httpx.get(f"{feed_server}/feeds/{subscribed}.ics"))
    assert [a.status_code for a in answers] == [404] * 5
    assert len({a.content for a in answers}) == 1


def test_healthz_answers_ok(feed_server):
    response = httpx.get(f"{feed_server}/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})
