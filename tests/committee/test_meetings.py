"""Meetings in the database: timezones, moves, cancellations, and what they imply."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from models.committee_obligations import deciding_meetings
from models.db import session_scope
from models.meetings import (
    MeetingRejected,
    cancel_meeting,
    list_meetings,
    meeting_when,
    move_meeting,
    schedule_meeting,
)
from models.obligations import compute_obligations, decision_meeting_dates
from models.tables import AuditEntry
from rules.meetings import in_zone
from settings import get_settings
from tests.committee.conftest import as_json
from tests.factories import make_article_fact, make_state

GENEVA = ZoneInfo("Europe/Zurich")


def schedule(session, slug="bangkok", start="2017-03-16T09:00", end="2017-03-16T17:00",
             timezone="Asia/Bangkok", kind="workshop", month=None):
    when = meeting_when(start=start, end=end, month=month, timezone=timezone)
    meeting, _ = schedule_meeting(session=session, slug=slug, title=f"meeting {slug}", kind=kind,
                                  when=when, timezone=timezone, source="CC minutes", actor="test")
    return meeting


def test_a_bangkok_meeting_is_shown_at_the_right_geneva_time(database_url):
    with session_scope() as session:
        schedule(session)  # 09:00 in Bangkok (UTC+7), Geneva on winter time (UTC+1)
        schedule(session, "after-dst", start="2017-04-03T09:00", end="2017-04-03T17:00")
    with session_scope() as session:
        winter, summer = sorted(list_meetings(session=session), key=lambda m: m.start_date)
    assert winter.start.utcoffset() == dt.timedelta(hours=7)
    assert winter.start_at == dt.datetime(2017, 3, 16, 2, 0, tzinfo=dt.UTC)
    geneva = in_zone(winter.start_at, "Europe/Zurich")
    assert (geneva.hour, geneva.utcoffset()) == (3, dt.timedelta(hours=1))
    # Geneva moved to summer time on 26 March 2017; Bangkok has no DST: 6 hours -> 5 hours.
    geneva = in_zone(summer.start_at, "Europe/Zurich")
    assert (geneva.hour, geneva.utcoffset()) == (4, dt.timedelta(hours=2))


def test_meetings_list_shows_the_bangkok_meeting_on_genevas_clock(run):
    run("meetings", "add", "bangkok", "--title", "Regional seminar", "--kind", "workshop",
        "--start", "2017-03-16T09:00", "--end", "2017-03-16T17:00", "--timezone", "Asia/Bangkok",
        "--source", "seminar programme")
    [row] = as_json(run("meetings", "list", "--recorded", "--format", "json"))
    assert row["when"] == "2017-03-16 09:00-17:00"
    assert row["in_geneva"] == "2017-03-16 03:00-11:00 (CET)"
    assert row["start"] == "2017-03-16T09:00:00+07:00"


def test_moving_a_meeting_bumps_its_version_and_is_audited(database_url):
    with session_scope() as session:
        schedule(session, "7msp", start="2017-09-04", end="2017-09-06", timezone="Europe/Zurich",
                 kind="msp")
    with session_scope() as session:
        when = meeting_when(start="2017-09-05", end="2017-09-07", month=None)
        meeting, change = move_meeting(session=session, slug="7msp", when=when, actor="test")
        assert (change, meeting.version) == ("moved", 2)
        same, again = move_meeting(session=session, slug="7msp", when=when, actor="test")
        assert (again, same.version) == ("unchanged", 2)
    with session_scope() as session:
        actions = [a.action for a in session.exec(select(AuditEntry).order_by(AuditEntry.id)).all()]
        [obligation] = [o for o in compute_obligations(session=session, as_of=dt.date(2017, 1, 1),
                                                       settings=get_settings())
                        if o.kind == "meeting_funds"]
    assert actions == ["meeting.scheduled", "meeting.moved"]
    assert obligation.due == dt.date(2017, 6, 7)


def test_a_cancelled_meeting_keeps_its_row_and_closes_its_funds_deadline(database_url):
    with session_scope() as session:
        schedule(session, "7msp", start="2017-09-04", end="2017-09-06", timezone="Europe/Zurich",
                 kind="msp")
    with session_scope() as session:
        meeting, change = cancel_meeting(session=session, slug="7msp", actor="test")
        assert (change, meeting.status, meeting.version) == ("cancelled", "cancelled", 2)
    with session_scope() as session:
        assert [m.status for m in list_meetings(session=session)] == ["cancelled"]
        assert deciding_meetings(session=session) == []  # the database's own, cancelled
        [funds] = [o for o in compute_obligations(session=session, as_of=dt.date(2017, 1, 1),
                                                  settings=get_settings())
                   if o.kind == "meeting_funds"]
    assert funds.met and funds.note.startswith("cancelled: ")


def test_a_local_time_skipped_by_the_clock_change_is_refused_and_nothing_is_written(run):
    result = run("meetings", "add", "x", "--title", "X", "--kind", "msp",
                 "--start", "2017-03-26T02:30", "--end", "2017-03-26T05:00", "--source", "s", code=1)
    assert "does not exist in Europe/Zurich" in result.output
    with session_scope() as session:
        assert list_meetings(session=session) == []


@pytest.mark.parametrize(
    ("start", "end", "month", "timezone", "message"),
    [
        ("2017-09-06", "2017-09-04", None, "Europe/Zurich", "is before start"),
        ("2017-09-04T10:00", "2017-09-04", None, "Europe/Zurich", "must both be"),
        ("2017-09-04", None, "2017-09", "Europe/Zurich", "not both"),
        (None, None, "2017-13", "Europe/Zurich", "not YYYY-MM"),
        ("2017-09-04", None, None, "Geneva", "not an IANA timezone"),
    ],
)
def test_meeting_dates_that_make_no_sense_are_refused(start, end, month, timezone, message):
    with pytest.raises(MeetingRejected, match=message):
        meeting_when(start=start, end=end, month=month, timezone=timezone)


@pytest.mark.parametrize(
    ("dates", "message"),
    [
        (["--start", "2026-02-30"], "Invalid value for --start: '2026-02-30' is not a date (YYYY-MM-DD)"),
        (["--start", "3000-01-01"], "Invalid value for --start: '3000-01-01' is after 2999-12-31"),
        (["--start", "2026-09-18", "--end", "2026-09-15"],
         "Invalid value for --end: 2026-09-15 is before --start 2026-09-18"),
        (["--start", "2027-01-01", "--end", "2099-01-01"],
         "Invalid value for --end: 2099-01-01 would make the meeting 26299 days long; a meeting lasts at most 31 days"),
        (["--start", "2027-09-01T25:00", "--end", "2027-09-01T26:00"],
         "Invalid value for --start: '2027-09-01T25:00' is not a local time (YYYY-MM-DDTHH:MM)"),
        (["--month", "2017-13"], "Invalid value for --month: '2017-13' is not a month (YYYY-MM)"),
        (["--month", "3000-01"], "Invalid value for --month: '3000-01' is after 2999-12"),
    ],
)
def test_meetings_add_refuses_a_date_naming_its_option_and_writes_nothing(run, dates, message):
    result = run("meetings", "add", "14msp", "--title", "14MSP", "--kind", "msp", *dates,
                 "--source", "UNOG note", code=2)
    assert result.output.startswith(f"error: {message}")
    assert result.output.rstrip().endswith("(see ccm-tracker meetings add --help)")
    with session_scope() as session:
        assert list_meetings(session=session) == []
        assert session.exec(select(AuditEntry)).all() == []


def test_a_meeting_of_31_days_is_kept_and_one_of_32_refused(run):
    run("meetings", "add", "long", "--title", "x", "--kind", "workshop", "--start", "2027-01-01",
        "--end", "2027-01-31", "--source", "s")
    result = run("meetings", "move", "long", "--start", "2027-01-01", "--end", "2027-02-01", code=2)
    assert "--end: 2027-02-01 would make the meeting 32 days long" in result.output


def test_meetings_add_without_a_source_is_refused_naming_it_and_nothing_is_written(run):
    for source in ([], ["--source", "  "]):
        result = run("meetings", "add", "14msp", "--title", "14MSP", "--kind", "msp",
                     "--start", "2026-09-14", "--end", "2026-09-17", *source, code=2)
        assert result.output.startswith("error: --source: say where this fact comes from")
    with session_scope() as session:
        assert list_meetings(session=session) == []
        assert session.exec(select(AuditEntry)).all() == []


def test_a_meeting_known_by_month_has_no_days_and_no_funds_date(run):
    run("meetings", "add", "15msp", "--title", "15MSP", "--kind", "msp", "--month", "2027-09",
        "--source", "CC minutes")
    [row] = as_json(run("meetings", "list", "--recorded", "--format", "json"))
    assert (row["precision"], row["start_date"], row["month"]) == ("month", None, "2027-09")
    assert row["funds_due"] == "opening day not fixed (only the month 2027-09 is known)"
    assert as_json(run("deadlines", "--format", "json", "--kind", "meeting_funds")) == []


def test_an_auckland_meeting_opens_on_its_local_day(database_url):
    with session_scope() as session:
        # 09:00 on 8 March in Auckland is still 7 March in UTC and in Geneva.
        meeting = schedule(session, "ism", start="2017-03-08T09:00", end="2017-03-08T17:00",
                           timezone="Pacific/Auckland", kind="intersessional")
        assert meeting.start_at.date() == dt.date(2017, 3, 7)
        assert meeting.start_date == dt.date(2017, 3, 8)
    with session_scope() as session:
        [funds] = [o for o in compute_obligations(session=session, as_of=dt.date(2017, 1, 1),
                                                  settings=get_settings())
                   if o.kind == "meeting_funds"]
    assert funds.due == dt.date(2016, 12, 8)


def test_a_recorded_msp_decides_when_an_extension_request_is_due(database_url):
    with session_scope() as session:
        make_state(session)  # Afghanistan: entry into force 2012-03-01
        session.flush()  # the State first (no ORM relationship orders the inserts)
        make_article_fact(session, article=3)  # Art. 3 deadline 2020-03-01
        schedule(session, "7msp", start="2017-09-04", end="2017-09-06", timezone="Europe/Zurich",
                 kind="msp")
    with session_scope() as session:
        assert dt.date(2017, 9, 4) in decision_meeting_dates(session=session)
        schedule(session, "20msp", start="2032-09-06", end="2032-09-08", timezone="Europe/Zurich",
                 kind="msp")
        make_article_fact(session, article=4, extended_deadline=dt.date(2033, 3, 1),
                          extension_granted_at="13MSP")
    with session_scope() as session:
        found = {o.key: o for o in compute_obligations(session=session, as_of=dt.date(2026, 1, 1),
                                                       settings=get_settings())}
    # The Convention's calendar knows the 9MSP (opened 2019-09-02), the last before the
    # 2020-03-01 deadline: the 7MSP on record does not decide it.
    request = found["CCM:AFG:art3_extension_request:2020-03-01"]
    assert request.due == dt.date(2018, 12, 2)  # 9 months before the 9MSP opens
    assert "estimated" not in request.note
    # Beyond the calendar, a meeting recorded in the database bounds the estimate: nothing
    # on record opens on or after the 2033-03-01 deadline, so a meeting not yet known may
    # still come between, but the deciding one cannot open before the 2032-09-06 meeting.
    later = found["CCM:AFG:art4_extension_request:2033-03-01"]
    assert later.due == dt.date(2031, 12, 6)  # 9 months before the 2032-09-06 meeting
    assert "deciding meeting estimated" in later.note
    # Once a meeting after the deadline is recorded too, the 2032-09-06 meeting decides.
    with session_scope() as session:
        schedule(session, "21msp", start="2033-09-05", end="2033-09-07", timezone="Europe/Zurich",
                 kind="msp")
    with session_scope() as session:
        found = {o.key: o for o in compute_obligations(session=session, as_of=dt.date(2026, 1, 1),
                                                       settings=get_settings())}
    later = found["CCM:AFG:art4_extension_request:2033-03-01"]
    assert later.due == dt.date(2031, 12, 6)
    assert "estimated" not in later.note


def test_list_meetings_gives_calendars_a_stable_uid_and_version(database_url):
    with session_scope() as session:
        schedule(session, "cc-2017-01-25", start="2017-01-25T14:00", end="2017-01-25T15:30",
                 timezone="Europe/Zurich", kind="coordination_committee")
    with session_scope() as session:
        [meeting] = list_meetings(session=session)
    assert (meeting.uid, meeting.version, meeting.status) == ("CCM:MEETING:cc-2017-01-25", 1, "scheduled")
    assert meeting.start == dt.datetime(2017, 1, 25, 14, 0, tzinfo=GENEVA)
    assert meeting.start.tzinfo.key == "Europe/Zurich"


def test_the_demo_dataset_scans_into_the_obligation_table_on_every_backend(database_url):
    """Action items keep their slug as period: the column must hold the longest slug."""
    import datetime as dt

    from sqlmodel import Session
    from typer.testing import CliRunner

    from cli.app import app
    from models.db import get_engine
    from models.obligations import compute_obligations, sync_obligations
    from settings import get_settings

    for args in (["init"], ["demo", "load", "--into-real"]):
        assert CliRunner().invoke(app, args).exit_code == 0
    with Session(get_engine(database_url)) as session:
        computed = compute_obligations(session=session, as_of=dt.date(2017, 2, 1), settings=get_settings())
        result = sync_obligations(session=session, computed=computed, as_of=dt.date(2017, 2, 1), tracking_since=None)
        session.commit()
    longest = max(len(c.key) for c in result.changes if c.kind == "action_item")
    assert longest > 32


def test_moving_only_the_start_keeps_the_meetings_length_and_says_so(run):
    run("meetings", "add", "m1", "--title", "x", "--kind", "msp", "--start", "2027-09-15",
        "--end", "2027-09-18", "--source", "UNOG note")
    moved = run("meetings", "move", "m1", "--start", "2027-09-20")
    assert "kept its length of 4 days: it now ends 2027-09-23" in moved.output
    run("meetings", "add", "t1", "--title", "x", "--kind", "workshop", "--start", "2027-09-15T09:00",
        "--end", "2027-09-15T17:30", "--source", "programme")
    run("meetings", "move", "t1", "--start", "2027-09-16T10:00")
    rows = {r["slug"]: r for r in as_json(run("meetings", "list", "--format", "json"))}
    assert (rows["m1"]["start_date"], rows["m1"]["end_date"]) == ("2027-09-20", "2027-09-23")
    assert rows["t1"]["when"] == "2027-09-16 10:00-18:30"


def test_moving_only_the_venue_keeps_the_dates(run):
    run("meetings", "add", "m1", "--title", "x", "--kind", "msp", "--start", "2027-09-15",
        "--end", "2027-09-18", "--source", "UNOG note")
    run("meetings", "move", "m1", "--venue", "Palais des Nations")
    [row] = as_json(run("meetings", "list", "--recorded", "--format", "json"))
    assert (row["when"], row["venue"], row["version"]) == ("2027-09-15 to 2027-09-18", "Palais des Nations", 2)


def test_moving_a_cancelled_meeting_is_refused_and_it_stays_cancelled(run):
    run("meetings", "add", "m1", "--title", "x", "--kind", "msp", "--start", "2027-09-15",
        "--end", "2027-09-18", "--source", "UNOG note")
    run("meetings", "cancel", "m1")
    result = run("meetings", "move", "m1", "--start", "2027-10-01", "--end", "2027-10-02", code=1)
    assert result.output.startswith("error: meeting 'm1' is cancelled and stays so")
    assert "add it again under a new slug" in result.output
    with session_scope() as session:
        [meeting] = list_meetings(session=session)
        assert (meeting.status, meeting.version, meeting.start_date) == ("cancelled", 2, dt.date(2027, 9, 15))
        assert len(session.exec(select(AuditEntry)).all()) == 2  # scheduled, cancelled
    [funds] = as_json(run("deadlines", "--format", "json", "--kind", "meeting_funds"))
    assert funds["note"].startswith("cancelled: ")  # not brought back open


def test_meetings_list_shows_the_bundled_calendar_marked_as_such_on_a_fresh_database(run):
    from models.convention_meetings import treaty_calendar

    rows = as_json(run("meetings", "list", "--format", "json"))
    assert {r["from"] for r in rows} == {"calendar"}
    assert len(rows) == len(treaty_calendar("CCM")) + len(treaty_calendar("APMBC"))
    thirteenth = next(r for r in rows if (r["treaty"], r["slug"]) == ("CCM", "13MSP"))
    assert (thirteenth["start_date"], thirteenth["end_date"], thirteenth["uid"]) == ("2025-09-16", "2025-09-19", None)
    ccm = as_json(run("meetings", "list", "--treaty", "ccm", "--format", "json"))
    assert {r["treaty"] for r in ccm} == {"CCM"} and len(ccm) == len(treaty_calendar("CCM"))
    assert as_json(run("meetings", "list", "--recorded", "--format", "json")) == []
    # the CSV: the same rows, and every field the JSON has
    csv_lines = run("meetings", "list", "--format", "csv").stdout.lstrip("\ufeff").splitlines()
    assert set(csv_lines[0].split(",")) == set(rows[0]) and len(csv_lines) == len(rows) + 1
    assert f"{len(rows)} meetings ({len(rows)} from the bundled calendar)" in run("meetings", "list").output


def test_meetings_add_refuses_a_meeting_on_the_bundled_calendar_with_other_dates(run):
    for slug, title in (("13msp", "13th MSP"), ("x13", "thirteenth meeting of states parties")):
        result = run("meetings", "add", slug, "--title", title, "--kind", "msp",
                     "--start", "2025-09-16", "--end", "2025-09-20", "--source", "s", code=1)
        assert result.output.startswith(
            f"error: meeting '{slug}' is on the CCM's bundled calendar already (data/ccm_meetings.csv): "
            "13MSP (Thirteenth Meeting of States Parties) from 2025-09-16 to 2025-09-19")
    result = run("meetings", "add", "2rc", "--title", "x", "--kind", "review_conference",
                 "--month", "2021-09", "--source", "s", code=1)
    assert "2RC Part 1" in result.output and "2RC Part 2" in result.output
    run("meetings", "add", "22msp", "--treaty", "apmbc", "--title", "x", "--kind", "msp",
        "--month", "2025-12", "--source", "s", code=1)
    with session_scope() as session:
        assert list_meetings(session=session) == []
        assert session.exec(select(AuditEntry)).all() == []


def test_a_bundled_meeting_recorded_with_its_own_days_is_kept_to_invoice_its_costs(run):
    run("meetings", "add", "13msp", "--title", "Thirteenth MSP", "--kind", "msp",
        "--start", "2025-09-16", "--end", "2025-09-19", "--source", "UNOG note")
    rows = [r for r in as_json(run("meetings", "list", "--treaty", "ccm", "--format", "json"))
            if r["slug"].lower() == "13msp"]
    assert sorted(r["from"] for r in rows) == ["calendar", "recorded"]
    # the APMBC's 22MSP is not a meeting of the CCM, whose calendar ends with its 13MSP
    run("meetings", "add", "22msp", "--title", "x", "--kind", "workshop",
        "--start", "2027-06-01", "--end", "2027-06-03", "--source", "s")
