"""The feed server over real HTTP (uvicorn on loopback): 200, 304, 404, and a guessed token."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from sqlalchemy import text

from calendars.server import create_app
from models.committee import Meeting
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


def test_healthz_answers_ok_with_the_number_of_events(feed_server, subscribed):
    response = httpx.get(f"{feed_server}/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok" and response.json()["events"] > 0


def add_meeting(slug: str, zone: str) -> None:
    with session_scope() as session:
        session.add(Meeting(
            slug=slug, title=f"Seminar {slug}", kind="workshop", date_precision="time",
            start_at=dt.datetime(2027, 6, 10, 14, tzinfo=dt.UTC),
            end_at=dt.datetime(2027, 6, 10, 16, tzinfo=dt.UTC), timezone=zone,
        ))


def test_a_meeting_that_cannot_be_rendered_leaves_the_feed_served_and_healthz_says_so(
    feed_server, subscribed
):
    add_meeting("scl", "America/Santiago")
    add_meeting("mars", "Mars/Olympus")  # stored before this machine's tzdata lost the zone
    with session_scope() as session:
        _, token = create_subscription(session=session, name="Meetings", kinds=["meeting"], now=NOW)
    response = httpx.get(f"{feed_server}/feeds/{token}.ics")
    assert response.status_code == 200
    events = parse_everywhere(response.content)
    assert events["CCM:MEETING:scl@ccm-tracker"]["start"] == ("2027-06-10T10:00:00",
                                                              "-1 day, 20:00:00")
    assert "CCM:MEETING:mars@ccm-tracker" not in events
    health = httpx.get(f"{feed_server}/healthz").json()
    assert health["status"] == "degraded"
    assert [item["uid"] for item in health["left_out"]] == ["CCM:MEETING:mars@ccm-tracker"]
    assert "Mars/Olympus" in health["left_out"][0]["reason"]


def test_healthz_says_error_when_the_database_cannot_be_read(feed_server, database_url):
    with session_scope() as session:
        session.execute(text("DROP TABLE obligation"))
    response = httpx.get(f"{feed_server}/healthz")
    assert (response.status_code, response.json()["status"]) == (503, "error")


def test_a_line_break_in_the_requested_path_does_not_reach_the_log_raw(
    feed_server, subscribed, caplog
):
    caplog.set_level(logging.INFO, logger="ccm.feeds")
    response = httpx.get(f"{feed_server}/feeds/%0d%0aX.ics")
    assert response.status_code == 404
    lines = [r.getMessage() for r in caplog.records if r.name == "ccm.feeds"]
    assert lines and all("\r" not in line and "\n" not in line for line in lines)
    assert any("\\r\\nX" in line for line in lines)  # escaped, still readable
