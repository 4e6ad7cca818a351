"""`ccm-tracker demo load`: the minutes of 7 December 2016 as data, loaded idempotently."""

import datetime as dt
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import select

from models.committee import (
    ActionItem,
    ActionItemTarget,
    Invoice,
    Meeting,
    Output,
    ReportedShortfall,
    TargetState,
    ThemeCoordinator,
)
from models.coordination import coordinators, output_facts
from models.db import session_scope
from models.demo import DEMO_FILE
from models.meetings import list_meetings
from models.tables import AuditEntry
from rules.action_items import progress_on
from tests.committee.conftest import as_json

TABLES = (Meeting, Invoice, ThemeCoordinator, TargetState, ActionItem, ActionItemTarget,
          Output, ReportedShortfall, AuditEntry)


def snapshot() -> dict[str, object]:
    with session_scope() as session:
        counts = {t.__name__: session.exec(select(func.count()).select_from(t)).one() for t in TABLES}
        versions = {m.slug: m.version for m in list_meetings(session=session)}
    return {"counts": counts, "versions": versions}


def test_demo_loads_twice_and_the_second_load_changes_nothing(demo):
    first = snapshot()
    again = demo("demo", "load")
    assert "already loaded: nothing changed" in again.stdout
    assert snapshot() == first
    assert first["counts"]["Meeting"] == 9 and first["counts"]["AuditEntry"] > 0


def test_demo_coordinators_are_those_named_in_the_minutes(demo):
    with session_scope() as session:
        assert coordinators(session=session) == {
            "transparency": ["CRI"],
            "stockpile_destruction": ["HRV", "MEX"],
            "clearance": ["NOR", "NLD"],
            "victim_assistance": ["ITA", "CHL"],
            "universalization": ["FRA", "ZMB"],
            "cooperation": ["IRQ", "AUS"],
            "national_implementation": ["NZL"],
            "general_status": ["BIH", "CHE"],
        }


def test_demo_meetings_are_dated_only_as_precisely_as_the_minutes_say(demo):
    with session_scope() as session:
        meetings = {m.slug: m for m in list_meetings(session=session)}
    cc = meetings["cc-2017-01-25"]
    assert cc.date_precision == "time"
    assert cc.start == dt.datetime(2017, 1, 25, 14, 0, tzinfo=ZoneInfo("Europe/Zurich"))
    assert cc.end == dt.datetime(2017, 1, 25, 15, 30, tzinfo=ZoneInfo("Europe/Zurich"))
    assert cc.start_at == dt.datetime(2017, 1, 25, 13, 0, tzinfo=dt.UTC)
    assert "Permanent Mission of the Federal Republic of Germany" in cc.venue
    assert cc.uid == "CCM:MEETING:cc-2017-01-25" and cc.version == 1

    def days(slug):
        m = meetings[slug]
        return m.date_precision, m.start_date, m.end_date, m.timezone, m.start_at

    assert days("country-coalitions-brainstorming-2016") == (
        "day", dt.date(2016, 12, 20), dt.date(2016, 12, 20), "Europe/Zurich", None)
    assert days("bangkok-seminar-2017") == (
        "day", dt.date(2017, 3, 16), dt.date(2017, 3, 17), "Asia/Bangkok", None)
    assert days("asean-ism-npd-2017") == (
        "day", dt.date(2017, 3, 8), dt.date(2017, 3, 9), "Pacific/Auckland", None)
    assert days("mine-action-directors-2017") == (
        "day", dt.date(2017, 2, 7), dt.date(2017, 2, 10), "Europe/Zurich", None)
    assert days("7msp")[:3] == ("day", dt.date(2017, 9, 4), dt.date(2017, 9, 6))
    assert meetings["7msp"].venue == "Room XIX, Palais des Nations, Geneva"
    assert meetings["cooperation-side-event-2017"].month == "2017-02"
    assert meetings["icrc-regional-ni-2017"].date_precision == "tbd"
    assert meetings["asean-ism-npd-2017"].kind == "external"  # not UN-serviced: no funds date


def test_demo_has_the_victim_assistance_output_and_its_progress(demo):
    with session_scope() as session:
        [output] = output_facts(session=session)
    assert output.text.startswith("At least five (5) States Parties with the capacity to do so")
    assert (output.target_count, output.deadline) == (5, dt.date(2017, 6, 30))
    assert progress_on(output, dt.date(2017, 6, 30)) == 0  # the minutes record no response
    themes = as_json(demo("themes", "list", "--format", "json", "--as-of", "2017-02-01"))
    [va] = [t for t in themes if t["theme"] == "victim_assistance"]
    assert va["outputs"] == "va-output-2: 0 of 5 by 2017-06-30"


def test_demo_keeps_the_reported_shortfall_and_marks_its_invoices_illustrative(demo):
    with session_scope() as session:
        [reported] = session.exec(select(ReportedShortfall)).all()
        invoices = session.exec(select(Invoice)).all()
    assert reported.amount == Decimal("1932.34")
    assert (reported.reported_on, reported.letters_sent) == (dt.date(2016, 12, 7), 76)
    assert reported.previously == "just over CHF 100,000"
    assert invoices and all(i.illustrative and i.number.startswith("DEMO-") for i in invoices)
    assert {i.issued_on for i in invoices} == {dt.date(2017, 1, 9)}


def test_every_demo_record_names_its_source(demo):
    with session_scope() as session:
        for table in (Meeting, ThemeCoordinator, TargetState, ActionItem, Output, Invoice):
            assert all(row.source for row in session.exec(select(table)).all()), table.__name__


def test_demo_afghanistan_is_targeted_by_two_themes(demo):
    assert as_json(demo("outreach", "--overlaps", "--format", "json")) == [
        {"state": "AFG", "name": "Afghanistan",
         "themes": ["national_implementation (CCM)", "victim_assistance (CCM)"], "treaties": ["CCM"],
         "joint_letter": False, "letter": "outreach --treaty ccm AFG", "party_to": ["CCM", "APMBC"]}
    ]


def test_demo_knows_who_is_party_to_the_apmbc_too(demo):
    """The demo loads the APMBC's participants as `init` does: Afghanistan (party since 2002)
    is not a universalization target of the APMBC, and its letter does not ask it to join."""
    refused = demo("themes", "add-target", "AFG", "--theme", "universalization", "--treaty", "apmbc",
                   "--source", "test", code=2)
    assert "party" in refused.output
    letter = demo("outreach", "AFG").stdout
    assert "consider joining the Anti-Personnel Mine Ban Convention" not in letter
    assert "THA" in demo("states", "--treaty", "apmbc", "--format", "csv").stdout


def test_demo_meeting_funds_are_listed_as_a_committee_deadline(demo):
    rows = as_json(demo("deadlines", "--format", "json", "--kind", "meeting_funds",
                        "--as-of", "2017-02-01"))
    assert [(r["key"], r["state"], r["due"], r["status"]) for r in rows] == [
        ("CCM:CC:meeting_funds:7msp", None, "2017-06-06", "open")
    ]


def test_a_demo_file_with_one_bad_record_loads_nothing(run, tmp_path: Path):
    broken = tmp_path / "broken.toml"
    text = DEMO_FILE.read_text(encoding="utf-8")
    broken.write_text(text.replace('timezone = "Asia/Bangkok"', 'timezone = "Asia/Atlantis"'),
                      encoding="utf-8")
    result = run("demo", "load", "--file", str(broken), code=1)
    assert "Asia/Atlantis" in result.output and "nothing was loaded" in result.output
    with session_scope() as session:
        assert session.exec(select(func.count()).select_from(Meeting)).one() == 0
