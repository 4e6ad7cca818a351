"""`ccm-tracker record --treaty apmbc`: the APMBC's facts through the CCM's writers (the same
checks, audit, revision, facts_version, refresh and events), with the APMBC's articles:
4 (stockpile destruction, no extension) and 5 (clearance)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlmodel import func, select

from models.db import session_scope
from models.tables import AuditEntry, TrackerSetting
from models.treaty_tables import TreatyArticleFact, TreatyParty, TreatyReportReceived
from tests.cli.running import ccm_here

SOURCE = ["--source", "APMBC 22MSP final report"]


@pytest.fixture
def registry(database_url, capsys):
    code, _, err = ccm_here(capsys, "init", "--tracking-since", "2026-01-01", "--no-default-recipient")
    assert code == 0, err
    return database_url


def _deadline(capsys, *args: str) -> dict[str, dict]:
    code, out, err = ccm_here(capsys, "deadlines", *args, "--format", "json")
    assert code == 0, err
    return {row["key"]: row for row in json.loads(out)}


def _written() -> tuple[int, int, int, int, int]:
    """Rows that any write would add to or change: APMBC article facts, reports, audit
    rows, AFG's APMBC facts_version, the data revision."""
    from models import revision

    with session_scope() as session:
        return (
            session.exec(select(func.count()).select_from(TreatyArticleFact)).one(),
            session.exec(select(func.count()).select_from(TreatyReportReceived)).one(),
            session.exec(select(func.count()).select_from(AuditEntry)).one(),
            session.get(TreatyParty, ("APMBC", "AFG")).facts_version,  # type: ignore[union-attr]
            revision.current(session),
        )


def test_recording_an_apmbc_art5_extension_moves_the_deadline_from_its_grant_and_not_before(registry, capsys):
    """The worked example: AFG's APMBC Art. 5 deadline in force is 2025-03-01 (20MSP, 2022);
    an extension to 2030-03-01 granted by the 22MSP counts from the 22MSP's closing day,
    5 December 2025 (data/apmbc_meetings.csv), so the day before still shows 2025-03-01."""
    key = "APMBC:AFG:art5_clearance"
    before_today = _deadline(capsys, "--treaty", "apmbc", "--state", "AFG")[key]
    before_2024 = _deadline(capsys, "--treaty", "apmbc", "--state", "AFG", "--as-of", "2024-06-01")[key]
    ccm_before = _deadline(capsys, "--treaty", "ccm", "--state", "AFG")
    written = _written()
    assert before_today["due"] == before_2024["due"] == "2025-03-01"

    code, out, err = ccm_here(capsys, "record", "extension", "AFG", "--treaty", "apmbc", "--article", "5",
                              "--until", "2030-03-01", "--meeting", "22MSP (2025)", *SOURCE)
    assert code == 0, err
    assert out.startswith("recorded: AFG APMBC Art. 5 deadline extended to 2030-03-01")

    after_today = _deadline(capsys, "--treaty", "apmbc", "--state", "AFG")[key]
    assert (after_today["due"], after_today["original_due"], after_today["treaty"]) == (
        "2030-03-01", "2013-03-01", "APMBC")
    assert after_today["status"] == "open"
    assert _deadline(capsys, "--treaty", "apmbc", "--state", "AFG", "--as-of", "2024-06-01")[key] == before_2024
    assert _deadline(capsys, "--treaty", "apmbc", "--state", "AFG", "--as-of", "2025-12-04")[key]["due"] == (
        "2025-03-01")
    assert _deadline(capsys, "--treaty", "apmbc", "--state", "AFG", "--as-of", "2025-12-05")[key]["due"] == (
        "2030-03-01")
    assert _deadline(capsys, "--treaty", "ccm", "--state", "AFG") == ccm_before  # the CCM's untouched

    facts, reports, audits, version, data_revision = _written()
    assert (facts, reports, audits) == (written[0] + 1, written[1], written[2] + 1)
    assert version == written[3] + 1 and data_revision > written[4]
    with session_scope() as session:
        row = session.exec(select(TreatyArticleFact).where(
            TreatyArticleFact.iso3 == "AFG", TreatyArticleFact.extended_deadline == dt.date(2030, 3, 1))).one()
        entry = session.exec(select(AuditEntry).order_by(AuditEntry.id.desc())).first()  # type: ignore[union-attr]
    assert (row.treaty, row.article, row.extension_granted_at) == ("APMBC", 5, "22MSP (2025)")
    assert row.recorded_at is not None
    assert (entry.action, entry.subject) == ("extension.recorded", "AFG")
    assert json.loads(entry.detail)["treaty"] == "APMBC"

    # the same step again changes nothing, and says so
    code, out, _ = ccm_here(capsys, "--treaty", "apmbc", "record", "extension", "AFG", "--article", "5",
                            "--until", "2030-03-01", "--meeting", "22MSP (2025)", *SOURCE)
    assert code == 0 and out.startswith("already on record: AFG APMBC Art. 5")
    assert _written()[:4] == (facts, reports, audits, version)


@pytest.mark.parametrize(("args", "said"), [
    (["extension", "AFG", "--treaty", "apmbc", "--article", "4", "--until", "2030-03-01", *SOURCE],
     "error: --article 4: the APMBC's Art. 4 (stockpile destruction) has no extension mechanism"),
    (["extension", "AFG", "--treaty", "apmbc", "--article", "3", "--until", "2030-03-01", *SOURCE],
     "error: --article 3: 3 is not one of the APMBC's deadline articles: 4 (stockpile destruction) and 5"),
    (["completion", "AFG", "--treaty", "ccm", "--article", "5", "--on", "2025-01-01", *SOURCE],
     "error: --article 5: 5 is not one of the CCM's deadline articles: 3 (stockpile destruction) and 4"),
    (["report", "AFG", "--treaty", "all", "--initial", *SOURCE],
     "error: --treaty all: a fact is under one convention; say --treaty ccm or --treaty apmbc"),
    (["report", "AFG", "--treaty", "ottawa", "--initial", *SOURCE], "error: --treaty: unknown value 'ottawa'"),
    (["extension", "AFG", "--treaty", "apmbc", "--article", "5", "--until", "2030-03-01",
      "--meeting", "22MSP (2025)", "--source", " "], "error: --source: say where this fact comes from"),
])
def test_bad_apmbc_record_input_is_one_sentence_naming_the_option_exit_2_nothing_written(
    registry, capsys, args, said
):
    written = _written()
    code, out, err = ccm_here(capsys, "record", *args)
    assert (code, out) == (2, "")
    assert err.startswith(said), err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert _written() == written


def test_an_apmbc_step_longer_than_ten_years_or_before_its_meeting_year_is_refused_naming_the_option(
    registry, capsys
):
    written = _written()
    code, _, err = ccm_here(capsys, "record", "extension", "AFG", "--treaty", "apmbc", "--article", "5",
                            "--until", "2036-03-01", "--meeting", "22MSP (2025)", *SOURCE)
    assert code == 1 and err.startswith("error: --until: AFG Art. 5 extension: an Art. 5 extension is at most 10 years"), err
    code, _, err = ccm_here(capsys, "record", "extension", "AFG", "--treaty", "apmbc", "--article", "5",
                            "--until", "2023-03-01", "--meeting", "22MSP (2025)", *SOURCE)
    # the calendar (data/apmbc_meetings.csv) knows the day the 22MSP closed
    assert code == 1 and err.startswith(
        "error: --until: the new deadline 2023-03-01 is not after 22MSP granted it (2025-12-05)"), err
    # a silence procedure is dated by the year it names
    code, _, err = ccm_here(capsys, "record", "extension", "AFG", "--treaty", "apmbc", "--article", "5",
                            "--until", "2023-03-01", "--meeting", "decided by silence procedure, Feb 2024", *SOURCE)
    assert code == 1 and err.startswith("error: --until: the new deadline 2023-03-01 is before 2024"), err
    assert _written() == written


def test_an_apmbc_report_recorded_is_the_apmbcs_and_keeps_the_apmbc_register_not_the_ccms(registry, capsys):
    key = "APMBC:AFG:art7_annual:2025"
    assert _deadline(capsys, "--treaty", "apmbc", "--state", "AFG", "--kind", "art7_annual")[key]["status"] == (
        "unverified")  # no APMBC register of reports is bundled
    ccm = _deadline(capsys, "--state", "AFG", "--kind", "art7_annual")["CCM:AFG:art7_annual:2025"]
    ccm_register = _settings("register_kept_since:reports")
    code, out, err = ccm_here(capsys, "record", "report", "AFG", "--treaty", "apmbc", "--year", "2025",
                              "--on", "2026-04-20", "--source", "APMBC ISU register")
    assert code == 0, err
    assert out.startswith("recorded: AFG APMBC 2025 annual report received 2026-04-20")
    row = _deadline(capsys, "--treaty", "apmbc", "--state", "AFG", "--kind", "art7_annual")[key]
    assert (row["status"], row["met_on"]) == ("met", "2026-04-20")
    assert _deadline(capsys, "--state", "AFG", "--kind", "art7_annual")["CCM:AFG:art7_annual:2025"] == ccm
    with session_scope() as session:
        report = session.exec(select(TreatyReportReceived)).one()
    assert (report.treaty, report.iso3, report.kind, report.period) == ("APMBC", "AFG", "annual", 2025)
    assert report.recorded_at is not None
    assert _settings("register_kept_since:APMBC:reports") is not None  # kept from today on
    assert _settings("register_kept_since:reports") == ccm_register


def _settings(name: str) -> str | None:
    with session_scope() as session:
        row = session.get(TrackerSetting, name)
        return row.value if row else None


def test_an_apmbc_completion_is_recorded_for_art4_and_art5(registry, capsys):
    code, out, err = ccm_here(capsys, "record", "completion", "UKR", "--treaty", "apmbc", "--article", "4",
                              "--on", "2026-10-01", "--source", "Ukraine Art. 7 report")
    assert code == 0, err
    assert out.startswith("recorded: UKR APMBC Art. 4 completed 2026-10-01")
    stockpile = _deadline(capsys, "--treaty", "apmbc", "--state", "UKR")["APMBC:UKR:art4_stockpile"]
    assert (stockpile["status"], stockpile["met_on"]) == ("met_late", "2026-10-01")
    code, out, err = ccm_here(capsys, "--treaty", "apmbc", "record", "completion", "AFG", "--article", "5",
                              "--on", "2026-11-01", "--source", "Afghanistan declaration")
    assert code == 0, err
    clearance = _deadline(capsys, "--treaty", "apmbc", "--state", "AFG")["APMBC:AFG:art5_clearance"]
    assert clearance["met_on"] == "2026-11-01"
    # before the clearance began (before AFG deposited, 2002-09-11): no Art. 5 completion
    code, _, err = ccm_here(capsys, "--treaty", "apmbc", "record", "completion", "AFG", "--article", "5",
                            "--on", "2001-01-01", "--correct", "--reason", "typo", "--source", "x")
    assert code == 1 and "is before AFG deposited" in err


def test_an_apmbc_fact_for_a_state_outside_the_apmbc_is_refused_naming_the_state(registry, capsys):
    code, out, err = ccm_here(capsys, "record", "report", "USA", "--treaty", "apmbc", "--initial", *SOURCE)
    assert (code, out) == (2, "")
    assert err.startswith("error: ISO3: unknown value 'USA'")


def test_recording_an_apmbc_fact_emits_the_same_events_as_the_ccm_path(registry, capsys, monkeypatch):
    import cli.announcing
    import flows.events
    from flows.events import Delivery

    facts: list[tuple[str, str, dict]] = []
    changes: list[list] = []
    monkeypatch.setattr(cli.announcing, "announce_fact",
                        lambda *, resource, what, payload, **_: facts.append((resource, what, payload))
                        or Delivery(True, "test", 1))
    monkeypatch.setattr(flows.events, "announce_changes",
                        lambda found: changes.append(list(found)) or Delivery(True, "test", len(found)))
    code, _, err = ccm_here(capsys, "record", "report", "AFG", "--year", "2025", "--on", "2026-04-20",
                            "--source", "CCM ISU register")
    assert code == 0, err
    code, _, err = ccm_here(capsys, "record", "report", "AFG", "--treaty", "apmbc", "--year", "2025",
                            "--on", "2026-04-20", "--source", "APMBC ISU register")
    assert code == 0, err
    assert [(r, p) for r, _, p in facts] == [("ccm.state.AFG", {"iso3": "AFG"})] * 2
    assert facts[1][1] == "APMBC 2025 annual report received 2026-04-20"
    assert [[c.key for c in found] for found in changes] == [
        ["CCM:AFG:art7_annual:2025"], ["APMBC:AFG:art7_annual:2025"]]
    assert {c.change for found in changes for c in found} == {"met"}


OLD = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)


def test_the_importer_stamps_recorded_at_on_the_apmbc_rows_it_adds_or_changes(registry, capsys, tmp_path):
    reports = tmp_path / "apmbc_reports.csv"
    reports.write_text("iso3,report,received_on,source\nAFG,2024,2025-04-30,ISU\n")
    code, _, err = ccm_here(capsys, "import", str(reports))
    assert code == 0, err
    with session_scope() as session:
        report = session.exec(select(TreatyReportReceived)).one()
        assert report.recorded_at is not None  # added
        report.recorded_at = OLD
        party = session.get(TreatyParty, ("APMBC", "AFG"))
        party.recorded_at = OLD  # type: ignore[union-attr]
    reports.write_text("iso3,report,received_on,source\nAFG,2024,2025-05-02,ISU\n")
    code, _, err = ccm_here(capsys, "import", str(reports), "--correct", "--reason", "the ISU's date stamp")
    assert code == 0, err
    participants = tmp_path / "apmbc_participants.csv"
    participants.write_text(
        "state,iso3,signature_date,deposit_date,instrument,provisional_application_date,"
        "withdrawal_effective_date,source,notes\n"
        "Afghanistan,AFG,,2002-09-11,accession,,,UNTC XXVI-5,a note added\n")
    code, _, err = ccm_here(capsys, "import", str(participants))
    assert code == 0, err
    with session_scope() as session:
        report = session.exec(select(TreatyReportReceived)).one()
        party = session.get(TreatyParty, ("APMBC", "AFG"))
        assert report.received_on == dt.date(2025, 5, 2)
        assert party.notes == "a note added"  # type: ignore[union-attr]
        for row in (report, party):
            stamped = row.recorded_at if row.recorded_at.tzinfo else row.recorded_at.replace(tzinfo=dt.UTC)  # type: ignore[union-attr]
            assert stamped > OLD


@pytest.mark.parametrize(("meeting", "said"), [
    ("21MPS", "error: --meeting: '21MPS' is not a meeting in the APMBC's calendar (did you mean 21MSP?)"),
    ("99MSP (2024)", "error: --meeting: '99MSP (2024)' is not a meeting in the APMBC's calendar (yet)"),
])
def test_an_apmbc_meeting_not_on_its_calendar_is_refused_naming_the_option_and_the_code_meant(
    registry, capsys, meeting, said
):
    """As the CCM's: a typo of a meeting is never kept as the text of a granting meeting."""
    written = _written()
    code, out, err = ccm_here(capsys, "record", "extension", "AFG", "--treaty", "apmbc", "--article", "5",
                              "--until", "2030-03-01", "--meeting", meeting, *SOURCE)
    assert (code, out) == (1, "")
    assert err.startswith(said), err
    assert "apmbc_meetings.csv" in err and err.count("\n") == 1
    assert _written() == written


@pytest.mark.parametrize(("treaty", "iso3", "article", "meeting", "held"), [
    ("apmbc", "AFG", "5", "22MSP (1999)", "the 22MSP was held in 2025 (2025-12-01 to 2025-12-05, apmbc_meetings.csv)"),
    ("ccm", "DEU", "4", "13MSP (2019)", "the 13MSP was held in 2025 (2025-09-16 to 2025-09-19, ccm_meetings.csv)"),
])
def test_a_meeting_label_whose_year_contradicts_the_calendar_is_refused_and_nothing_written(
    registry, capsys, treaty, iso3, article, meeting, held
):
    written = _written()
    code, out, err = ccm_here(capsys, "record", "extension", iso3, "--treaty", treaty, "--article", article,
                              "--until", "2030-08-01", "--meeting", meeting, *SOURCE)
    assert (code, out) == (1, "")
    [line] = err.strip().splitlines()
    assert line.startswith(f"error: --meeting: {meeting!r}: {held}, not in "), line
    assert _written() == written


def test_an_apmbc_meeting_named_with_or_without_its_year_is_one_meeting(registry, capsys):
    """"22MSP" and "22MSP (2025)" are the same meeting (as "13MSP" and "13MSP (2025)" are for
    the CCM): saying it again either way changes nothing."""
    args = ["record", "extension", "AFG", "--treaty", "apmbc", "--article", "5", "--until", "2030-03-01"]
    code, _, err = ccm_here(capsys, *args, "--meeting", "22MSP (2025)", *SOURCE)
    assert code == 0, err
    written = _written()
    code, out, err = ccm_here(capsys, *args, "--meeting", "22MSP", *SOURCE)
    assert code == 0, err
    assert "already on record" in out
    assert _written() == written


def test_an_apmbc_import_row_naming_a_meeting_not_on_its_calendar_is_refused_with_the_code_meant(
    registry, capsys, tmp_path
):
    """As a CCM file's: the line, the column and the code meant; nothing imported."""
    written = _written()
    facts = tmp_path / "apmbc_article4_article5.csv"
    facts.write_text("state,iso3,article,extended_deadline,extension_granted_at,completed_date,"
                     "completed_period,source,notes\nAfghanistan,AFG,5,2030-03-01,21MPS (2023),,,ISU,\n")
    code, out, err = ccm_here(capsys, "import", str(facts))
    assert code == 1
    assert f"{facts}:2: extension_granted_at: '21MPS (2023)' is not a meeting in the APMBC's calendar " \
           "(did you mean 21MSP?)" in out + err
    assert _written() == written
