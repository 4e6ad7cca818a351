"""The feed server over real HTTP (uvicorn on loopback): 200, 304, 404, and a guessed token."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import logging
import threading
import time
from collections.abc import Iterator
from email.utils import format_datetime, parsedate_to_datetime

import httpx
import pytest
import uvicorn
from sqlalchemy import text
from typer.testing import CliRunner

from calendars.feedcache import FeedCache
from calendars.feeds import Selection
from calendars.server import cached_feed, create_app
from cli.app import app as cli
from models import revision
from models.committee import Meeting
from models.db import session_scope
from models.subscriptions import (
    create_subscription,
    revoke_subscription,
    rotate_subscription,
)
from tests.calendars.factories import NOW, scan
from tests.calendars.parsing import parse_everywhere
from tests.conftest import free_port
from tests.factories import make_article_fact, make_state


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


IDENTITY = {"Accept-Encoding": "identity"}


def test_feed_is_served_as_text_calendar_with_a_strong_etag_from_its_bytes(feed_server, subscribed):
    response = httpx.get(f"{feed_server}/feeds/{subscribed}.ics", headers=IDENTITY)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    etag = response.headers["etag"]
    assert not etag.startswith("W/")
    assert etag == '"' + hashlib.sha256(response.content).hexdigest()[:40] + '"'
    events = parse_everywhere(response.content)
    assert "CCM:AFG:art7_initial@ccm-tracker" in events
    assert all("transparency" in e["categories"] for e in events.values())
    assert "content-encoding" not in response.headers


def test_a_client_that_accepts_gzip_gets_the_same_bytes_gzipped_with_their_own_etag(
    feed_server, subscribed
):
    url = f"{feed_server}/feeds/{subscribed}.ics"
    plain = httpx.get(url, headers=IDENTITY)
    with httpx.stream("GET", url, headers={"Accept-Encoding": "gzip"}) as zipped:
        raw = b"".join(zipped.iter_raw())
        headers = zipped.headers
    assert headers["content-encoding"] == "gzip" and "Accept-Encoding" in headers["vary"]
    assert gzip.decompress(raw) == plain.content
    assert len(raw) < len(plain.content) / 3
    assert headers["etag"] != plain.headers["etag"]
    again = httpx.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": headers["etag"]})
    assert again.status_code == 304


def test_if_modified_since_answers_304_only_without_if_none_match_and_not_before_the_date(
    feed_server, subscribed
):
    url = f"{feed_server}/feeds/{subscribed}.ics"
    modified = httpx.get(url).headers["last-modified"]
    assert httpx.get(url, headers={"If-Modified-Since": modified}).status_code == 304
    earlier = format_datetime(parsedate_to_datetime(modified) - dt.timedelta(seconds=1), usegmt=True)
    assert httpx.get(url, headers={"If-Modified-Since": earlier}).status_code == 200
    assert httpx.get(url, headers={"If-Modified-Since": "not a date"}).status_code == 200
    both = {"If-Modified-Since": modified, "If-None-Match": '"other"'}
    assert httpx.get(url, headers=both).status_code == 200  # If-None-Match decides


def test_a_conditional_get_is_answered_from_cache_without_rendering(
    feed_server, subscribed, monkeypatch
):
    import calendars.server

    renders = []
    real = calendars.server.feed_for
    monkeypatch.setattr(calendars.server, "feed_for",
                        lambda *a, **k: renders.append(1) or real(*a, **k))
    url = f"{feed_server}/feeds/{subscribed}.ics"
    etag = httpx.get(url).headers["etag"]
    for _ in range(5):
        assert httpx.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert httpx.get(url).status_code == 200
    assert len(renders) == 1  # the first GET; the warm-up rendered another selection


def test_a_recorded_fact_changes_the_next_responses_etag_and_body(feed_server, subscribed):
    url = f"{feed_server}/feeds/{subscribed}.ics"
    first = httpx.get(url)
    event = parse_everywhere(first.content)["CCM:AFG:art7_annual:2025@ccm-tracker"]
    assert not event["summary"].endswith("(met)")
    recorded = CliRunner().invoke(cli, ["record", "report", "AFG", "--year", "2025",
                                        "--received", "2026-04-20", "--source", "x"])
    assert recorded.exit_code == 0, recorded.output
    after = httpx.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert after.status_code == 200
    assert after.headers["etag"] != first.headers["etag"]
    event = parse_everywhere(after.content)["CCM:AFG:art7_annual:2025@ccm-tracker"]
    assert event["summary"] == "Afghanistan: 2025 annual transparency report (met)"
    print(f"ETag {first.headers['etag']} -> {after.headers['etag']}")


def test_the_cache_key_holds_the_day_so_a_deadline_turning_overdue_is_not_served_stale(
    database_url,
):
    with session_scope() as session:
        make_state(session)  # Afghanistan, EIF 2012-03-01: clearance due 2022-03-01
        session.flush()
        make_article_fact(session, article=4)
        scan(session, as_of=dt.date(2022, 2, 1))
    cache = FeedCache()
    selection = Selection(name="clearance", themes=("clearance",))
    with session_scope() as session:  # one revision, two days
        before = cached_feed(cache, selection, session=session, day=dt.date(2022, 3, 1))
        after = cached_feed(cache, selection, session=session, day=dt.date(2022, 3, 2))
    summary = {d: parse_everywhere(e.data)["CCM:AFG:art4_clearance@ccm-tracker"]["summary"]
               for d, e in (("before", before), ("after", after))}
    assert summary == {
        "before": "Afghanistan: Clearance of cluster munition remnants",
        "after": "Afghanistan: Clearance of cluster munition remnants (overdue)",
    }



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


def test_a_revoked_or_rotated_token_answers_404_on_the_next_request(feed_server, subscribed):
    url = f"{feed_server}/feeds/{subscribed}.ics"
    assert httpx.get(url).status_code == 200  # the server now keeps this token's selection
    with session_scope() as session:
        _, new = rotate_subscription(session=session, ref="Transparency", now=NOW)
    assert httpx.get(url).status_code == 404
    assert httpx.get(f"{feed_server}/feeds/{new}.ics").status_code == 200
    with session_scope() as session:
        revoke_subscription(session=session, ref="Transparency", now=NOW)
    assert httpx.get(f"{feed_server}/feeds/{new}.ics").status_code == 404


def test_healthz_answers_ok_with_the_number_of_events(feed_server, subscribed):
    response = httpx.get(f"{feed_server}/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok" and response.json()["events"] > 0


def add_meeting(slug: str, zone: str) -> None:
    """A meeting written straight to its table (any zone), with the revision bumped as every
    writer does."""
    with session_scope() as session:
        session.add(Meeting(
            slug=slug, title=f"Seminar {slug}", kind="workshop", date_precision="time",
            start_at=dt.datetime(2027, 6, 10, 14, tzinfo=dt.UTC),
            end_at=dt.datetime(2027, 6, 10, 16, tzinfo=dt.UTC), timezone=zone,
        ))
        revision.bump(session)


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
        revision.bump(session)
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
