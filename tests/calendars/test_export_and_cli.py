"""`subscribe`, `subscriptions`, `feed export`: the CLI over the real database."""

from __future__ import annotations

import re

from sqlalchemy import text
from sqlmodel import select
from typer.testing import CliRunner

from calendars.feeds import Selection, feed_for
from cli.app import app
from models.db import session_scope
from models.subscriptions import Subscription, find_by_token
from settings import get_settings
from tests.calendars.factories import scan
from tests.calendars.parsing import parse_everywhere
from tests.factories import make_state

runner = CliRunner()
URL = re.compile(r"http://127\.0\.0\.1:8000/feeds/([A-Za-z0-9_-]+)\.ics")


def test_subscribe_prints_a_feed_url_whose_token_finds_the_subscription(database_url):
    result = runner.invoke(app, ["subscribe", "Transparency coordinator",
                                 "--kind", "art7_initial", "--kind", "art7_annual", "--alarms"])
    assert result.exit_code == 0, result.output
    token = URL.search(result.output).group(1)
    with session_scope() as session:
        found = find_by_token(session=session, token=token)
        assert found is not None
        assert (found.kinds, found.alarms) == ("art7_initial,art7_annual", True)


def test_subscribe_with_an_unknown_theme_fails_and_writes_nothing(database_url):
    result = runner.invoke(app, ["subscribe", "x", "--theme", "transparancy"])
    assert result.exit_code == 2  # an unknown value is a usage error
    assert "transparancy" in result.output
    with session_scope() as session:
        assert session.exec(select(Subscription)).all() == []


def test_rotate_prints_a_new_url_and_revoke_ends_it(database_url):
    first = URL.search(runner.invoke(app, ["subscribe", "Clearance", "--theme", "clearance"]).output).group(1)
    rotated = runner.invoke(app, ["subscriptions", "rotate", "Clearance"])
    second = URL.search(rotated.output).group(1)
    assert second != first
    listed = runner.invoke(app, ["subscriptions", "list", "--format", "json"])
    assert '"name": "Clearance"' in listed.output and first not in listed.output
    assert runner.invoke(app, ["subscriptions", "revoke", "Clearance"]).exit_code == 0
    again = runner.invoke(app, ["subscriptions", "revoke", "Clearance"])
    assert again.exit_code == 1 and "no active subscription" in again.output
    with session_scope() as session:
        assert find_by_token(session=session, token=second) is None


def test_export_writes_the_same_bytes_the_server_sends_and_leaves_unchanged_files_alone(
    database_url, tmp_path
):
    with session_scope() as session:
        make_state(session)
        scan(session)
    runner.invoke(app, ["subscribe", "Transparency", "--theme", "transparency"])
    out = tmp_path / "public"
    result = runner.invoke(app, ["feed", "export", str(out)])
    assert result.exit_code == 0, result.output
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.ics"))
    assert files[0] == "all.ics" and "theme-clearance.ics" in files
    assert "subscriptions/1-transparency.ics" in files
    with session_scope() as session:
        subscription = session.get(Subscription, 1)
        served = feed_for(Selection.of(subscription), session=session,
                          settings=get_settings()).data
    assert (out / "subscriptions/1-transparency.ics").read_bytes() == served
    assert parse_everywhere((out / "all.ics").read_bytes())
    mtime = (out / "all.ics").stat().st_mtime_ns
    second = runner.invoke(app, ["feed", "export", str(out)])
    assert "unchanged" in second.output and "written" not in second.output
    assert (out / "all.ics").stat().st_mtime_ns == mtime


def test_the_santiago_meeting_is_exported_and_a_meeting_that_cannot_be_rendered_is_reported(
    database_url, tmp_path
):
    # /work/shared/cases/repro_c05b_santiago.sh: every feed used to fail with a traceback
    runner.invoke(app, ["init", "--no-registry"])
    added = runner.invoke(app, [
        "meetings", "add", "scl", "--title", "Santiago seminar", "--kind", "workshop",
        "--start", "2027-06-10T10:00", "--end", "2027-06-10T12:00",
        "--timezone", "America/Santiago", "--source", "seminar programme",
    ])
    assert added.exit_code == 0, added.output
    runner.invoke(app, ["meetings", "add", "mars", "--title", "Olympus", "--kind", "workshop",
                        "--start", "2027-06-11T10:00", "--end", "2027-06-11T12:00",
                        "--timezone", "Europe/Zurich", "--source", "s"])
    with session_scope() as session:  # a zone this machine does not know (an older tzdata)
        session.execute(text("UPDATE meeting SET timezone = 'Mars/Olympus' WHERE slug = 'mars'"))
    out = tmp_path / "feeds"
    result = runner.invoke(app, ["feed", "export", str(out)])
    assert result.exit_code == 0, result.output
    assert "left out (cannot be rendered): CCM:MEETING:mars@ccm-tracker: UnsupportedTimezone" in (
        result.stderr
    )
    assert result.stderr.count("left out") == 1  # once, though every feed left it out
    events = parse_everywhere((out / "all.ics").read_bytes())
    assert events["CCM:MEETING:scl@ccm-tracker"]["start"] == ("2027-06-10T10:00:00",
                                                              "-1 day, 20:00:00")
    assert "CCM:MEETING:mars@ccm-tracker" not in events
