"""From the obligation table (and meetings) to calendar events, and feed selection."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from calendars.feeds import Selection, build_feed, feed_for, feed_revision
from calendars.sources import load_deadlines, meeting_event, meeting_events
from models.db import session_scope
from models.tables import ReportReceived
from models.tracking import keep_register
from rules.wording import what_to_do
from settings import get_settings
from tests.calendars.factories import NOW, FakeMeetingRow, make_deadline, make_meeting, scan
from tests.calendars.parsing import parse_everywhere
from tests.factories import make_article_fact, make_state

ZURICH = ZoneInfo("Europe/Zurich")


def test_deadline_says_the_states_name_what_is_due_what_to_do_and_where_to_send_it(
    database_url, monkeypatch
):
    monkeypatch.setenv("CCM_CALENDAR_REPORT_RECIPIENT", "UNODA Geneva <reports@example.org>")
    from settings import reset_settings_cache

    reset_settings_cache()
    with session_scope() as session:
        make_state(session)  # Afghanistan, deposit 2011-09-08, EIF 2012-03-01
        scan(session)
        events = {e.key: e for e in load_deadlines(session=session, settings=get_settings())}
    initial = events["CCM:AFG:art7_initial"]
    assert initial.due == dt.date(2012, 8, 28)
    assert initial.summary == "Afghanistan: Initial transparency report"
    assert initial.description.splitlines()[:2] == [
        "Initial transparency report (Art. 7(1)).", "State: Afghanistan (AFG).",
    ]
    assert f"What to do: {what_to_do('art7_initial')}" in initial.description
    assert "Send it to: UNODA Geneva <reports@example.org>." in initial.description
    assert initial.categories == ("Art. 7", "transparency")
    annual = events["CCM:AFG:art7_annual:2025"]
    assert annual.summary == "Afghanistan: 2025 annual transparency report"


def test_a_clearance_deadline_is_declared_in_the_art7_report_not_sent(database_url):
    with session_scope() as session:
        make_state(session)
        session.flush()
        make_article_fact(session, article=4)
        scan(session)
        events = {e.key: e for e in load_deadlines(session=session, settings=get_settings())}
    clearance = events["CCM:AFG:art4_clearance"]
    assert clearance.summary == "Afghanistan: Clearance of cluster munition remnants"
    assert "Send it to" not in clearance.description
    assert "How it is declared: nothing is sent; completion is declared in the State's next " \
        "Art. 7 transparency report" in clearance.description
    request = events["CCM:AFG:art4_extension_request:2022-03-01"]
    assert request.summary == "Afghanistan: Request to extend the 2022-03-01 clearance deadline"
    assert "Submit it to: the Meeting of States Parties, through the CCM Implementation" in (
        request.description
    )


def test_received_report_is_met_and_extension_bumps_sequence(database_url):
    with session_scope() as session:
        make_state(session)
        session.flush()
        make_article_fact(session, article=4)
        scan(session)
        session.add(ReportReceived(iso3="AFG", kind="initial", period=0,
                                   received_on=dt.date(2012, 8, 20), source="test"))
        make_article_fact(session, article=4, extended_deadline=dt.date(2027, 3, 1))
        scan(session, as_of=dt.date(2026, 11, 27))
        events = {e.key: e for e in load_deadlines(session=session, settings=get_settings())}
    assert events["CCM:AFG:art7_initial"].met
    assert "Status: met on 2012-08-20." in events["CCM:AFG:art7_initial"].description
    clearance = events["CCM:AFG:art4_clearance"]
    assert (clearance.due, clearance.version) == (dt.date(2027, 3, 1), 2)
    assert "(originally 2022-03-01)" in clearance.description


def test_obligations_after_a_withdrawal_are_dropped_not_cancelled(database_url):
    with session_scope() as session:
        state = make_state(session)
        scan(session)
        state.withdrawal_effective_date = dt.date(2020, 1, 1)
        session.add(state)
        scan(session, as_of=dt.date(2026, 11, 27))
        keys = {e.key for e in load_deadlines(session=session, settings=get_settings())}
        stamp = feed_revision(session=session)
    assert "CCM:AFG:art7_annual:2018" in keys  # fell due before the withdrawal: history
    assert "CCM:AFG:art7_annual:2019" not in keys  # due 2020-04-30, after it
    assert stamp == dt.datetime(2026, 11, 27, tzinfo=dt.UTC)


def test_selection_filters_by_theme_state_and_kind_and_meetings_need_the_meeting_kind():
    deadlines = [
        make_deadline(),
        make_deadline(key="CCM:LAO:art4_clearance", kind="art4_clearance", state="LAO",
                      themes=("clearance",)),
    ]
    meetings = [make_meeting()]

    def uids(selection: Selection) -> set[str]:
        data = build_feed(selection, deadlines=deadlines, meetings=meetings, now=NOW,
                          settings=get_settings()).data
        return {uid.split("@")[0] for uid in parse_everywhere(data)}

    assert uids(Selection(name="all")) == {
        "CCM:AFG:art7_annual:2025", "CCM:LAO:art4_clearance", "CCM:MEETING:14msp"}
    assert uids(Selection(name="t", themes=("clearance",))) == {
        "CCM:LAO:art4_clearance", "CCM:MEETING:14msp"}
    assert uids(Selection(name="s", states=("AFG",))) == {"CCM:AFG:art7_annual:2025", "CCM:MEETING:14msp"}
    assert uids(Selection(name="k", kinds=("art7_annual",))) == {"CCM:AFG:art7_annual:2025"}
    assert uids(Selection(name="m", kinds=("meeting",))) == {"CCM:MEETING:14msp"}


def test_meeting_adapter_reads_issue_6_rows():
    row = FakeMeetingRow(
        key="CCM:MEETING:cc-2026-05", version=3, title="Coordination Committee",
        kind="coordination_committee", start=dt.datetime(2026, 5, 5, 10, tzinfo=ZURICH),
        end=dt.datetime(2026, 5, 5, 12, tzinfo=ZURICH), timezone="Europe/Zurich",
        venue="Maison de la paix", organiser="CCM ISU <isu@example.org>", precision="time",
        status="cancelled", attendees=("Jane <jane@example.org>", "bob@example.org"),
    )
    event = meeting_event(row)
    assert event is not None
    assert (event.uid, event.version, event.cancelled) == ("CCM:MEETING:cc-2026-05@ccm-tracker", 3, True)
    assert event.organiser is not None and event.organiser.email == "isu@example.org"
    assert [a.email for a in event.attendees] == ["jane@example.org", "bob@example.org"]


def test_meetings_known_only_to_the_month_stay_out_of_calendars():
    row = FakeMeetingRow(
        key="CCM:MEETING:15msp", version=1, title="15MSP", kind="msp",
        start=dt.datetime(2027, 9, 1, tzinfo=ZURICH), end=dt.datetime(2027, 9, 1, tzinfo=ZURICH),
        timezone="Europe/Zurich", venue=None, organiser=None, precision="month",
        status="scheduled",
    )
    assert meeting_events([row]) == []


def test_status_is_computed_for_the_feeds_day_not_taken_from_the_last_scan(database_url):
    with session_scope() as session:
        make_state(session)
        # the register of reports received is kept (else a missing report is unverified)
        keep_register(session=session, register="reports", since=dt.date(2008, 12, 3))
        scan(session, as_of=dt.date(2026, 4, 1))  # the 2025 report, due 2026-04-30, is open
        stored = {e.key: e for e in load_deadlines(session=session, settings=get_settings(),
                                                   as_of=dt.date(2026, 4, 1))}
        later = feed_for(Selection(name="all"), session=session, settings=get_settings(),
                         as_of=dt.date(2026, 5, 1))
    assert stored["CCM:AFG:art7_annual:2025"].status == "open"
    event = parse_everywhere(later.data)["CCM:AFG:art7_annual:2025@ccm-tracker"]
    assert event["summary"] == "Afghanistan: 2025 annual transparency report (overdue)"
    block = later.data.split(b"UID:CCM:AFG:art7_annual:2025@")[0].rsplit(b"BEGIN:VEVENT", 1)[1]
    block += later.data.split(b"UID:CCM:AFG:art7_annual:2025@")[1].split(b"END:VEVENT")[0]
    assert b"X-CCM-STATUS:overdue" in block
