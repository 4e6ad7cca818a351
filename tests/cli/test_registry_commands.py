"""The command line, through Typer's runner (the `run` fixture), on a fresh database."""

import json
from collections.abc import Callable
from typing import Any


def deadlines_json(run: Callable[..., Any], *args: str) -> dict[str, dict]:
    return {o["key"]: o for o in json.loads(run("deadlines", "--format", "json", *args).stdout)}


def test_init_loads_the_bundled_registry_and_is_idempotent(run):
    first = run("init", "--tracking-since", "2026-01-01")
    second = run("init")
    assert "124 added" in first.output
    assert "added" not in second.output
    states = json.loads(run("states", "--format", "json").stdout)
    assert len(states) == 124
    afghanistan = next(s for s in states if s["iso3"] == "AFG")
    assert afghanistan == {
        **afghanistan,
        "name": "Afghanistan",
        "status": "party",
        "deposit_date": "2011-09-08",
        "entry_into_force": "2012-03-01",
    }
    assert next(s for s in states if s["iso3"] == "LTU")["status"] == "withdrawn"
    assert next(s for s in states if s["iso3"] == "AGO")["entry_into_force"] is None


def test_deadlines_json_has_the_documented_fields_and_extensions(run):
    run("init", "--tracking-since", "2026-01-01")
    found = deadlines_json(run, "--as-of", "2026-11-26")
    assert found["CCM:AFG:art7_initial"]["due"] == "2012-08-28"
    assert found["CCM:AFG:art7_initial"]["status"] == "history"
    assert found["CCM:AFG:art4_clearance"] == {
        **found["CCM:AFG:art4_clearance"],
        "state": "AFG",
        "kind": "art4_clearance",
        "due": "2026-03-01",
        "original_due": "2022-03-01",
        "status": "overdue",
        "period": None,
    }
    assert found["CCM:DEU:art4_clearance"]["due"] == "2025-08-01"
    assert found["CCM:DEU:art4_clearance"]["original_due"] == "2020-08-01"
    assert found["CCM:AFG:art7_annual:2025"]["period"] == "2025"
    assert not any(o["state"] == "AGO" for o in found.values())  # a signatory


def test_recording_a_report_changes_the_next_deadlines_and_writes_an_audit_row(run, database_url):
    run("init", "--tracking-since", "2026-01-01")
    assert deadlines_json(run, "--state", "AFG")["CCM:AFG:art7_annual:2025"]["status"] == "overdue"
    out = run("record", "report", "AFG", "--year", "2025", "--received", "2026-05-02", "--source", "ISU letter")
    assert "recorded" in out.output
    after = deadlines_json(run, "--state", "AFG", "--as-of", "2026-11-26")["CCM:AFG:art7_annual:2025"]
    assert (after["status"], after["met_on"]) == ("met_late", "2026-05-02")  # due 2026-04-30
    from sqlmodel import Session, select

    from models.db import get_engine
    from models.tables import AuditEntry

    with Session(get_engine(database_url)) as session:
        entry = session.exec(select(AuditEntry).where(AuditEntry.action == "report.recorded")).one()
        assert (entry.subject, entry.source) == ("AFG", "ISU letter")


def test_recording_an_extension_moves_the_deadline(run):
    run("init", "--tracking-since", "2026-01-01")
    run("record", "extension", "AFG", "--article", "4", "--until", "2030-03-01", "--meeting", "13MSP", "--source", "x")
    clearance = deadlines_json(run, "--state", "AFG", "--as-of", "2026-11-26")["CCM:AFG:art4_clearance"]
    assert (clearance["due"], clearance["original_due"], clearance["status"]) == ("2030-03-01", "2022-03-01", "open")


def test_recording_a_completion_meets_the_deadline(run):
    run("init", "--tracking-since", "2026-01-01")
    run("record", "completion", "AFG", "--article", "4", "--date", "2026-02-01", "--source", "x")
    clearance = deadlines_json(run, "--state", "AFG", "--as-of", "2026-11-26")["CCM:AFG:art4_clearance"]
    assert (clearance["status"], clearance["met_on"]) == ("met", "2026-02-01")  # due 2026-03-01


def test_an_extension_earlier_than_the_deadline_in_force_is_refused_and_nothing_changes(run):
    run("init", "--tracking-since", "2026-01-01")
    result = run("record", "extension", "AFG", "--article", "4", "--until", "2025-01-01", "--source", "x", code=1)
    assert "is not after the deadline in force 2026-03-01" in result.output
    assert deadlines_json(run, "--state", "AFG")["CCM:AFG:art4_clearance"]["due"] == "2026-03-01"


def test_a_report_for_an_unknown_state_is_a_clear_error(run):
    run("init")
    result = run("record", "report", "XYZ", "--initial", "--source", "x", code=2)
    assert "unknown value 'XYZ'; States are named by ISO3 code" in str(result.exception) + result.output


def test_filters_overdue_within_kind_and_csv(run):
    run("init", "--tracking-since", "2026-01-01")
    overdue = json.loads(run("deadlines", "--format", "json", "--overdue", "--as-of", "2026-11-26").stdout)
    assert overdue and all(o["status"] == "overdue" for o in overdue)
    annual = json.loads(run("deadlines", "--format", "json", "--kind", "art7_annual", "--within", "200", "--as-of", "2026-11-26").stdout)
    assert {o["kind"] for o in annual} == {"art7_annual"}
    csv_out = run("deadlines", "--format", "csv", "--state", "AFG").stdout
    assert csv_out.removeprefix("\ufeff").splitlines()[0].startswith("treaty,key,state,state_name,kind,period,due")


def test_import_with_a_bad_row_prints_file_line_field_and_exits_nonzero(run, tmp_path):
    run("init", "--no-registry")
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "state,iso3,signature_date,deposit_date,instrument,provisional_application_date,"
        "withdrawal_effective_date,source,notes\nAtlantis,ATL,2008-12-03,2011-01-01,ratification,,,s,\n"
    )
    result = run("import", str(bad), code=1)
    assert f"{bad}:2: iso3: 'ATL' is not an ISO 3166-1 alpha-3 code" in result.output
    assert json.loads(run("states", "--format", "json").stdout) == []


def test_facts_shows_both_sides_of_a_source_disagreement(run):
    run("init")
    result = run("facts", "BIH")
    assert "extended to 2022-09-01" in result.output
    assert "extended to 2023-09-01" in result.output
    assert "(sources disagree)" in result.output
    assert "deadline in force 2023-09-01 (original 2021-03-01)" in result.output


def test_as_of_a_day_the_answer_uses_only_the_facts_in_effect_that_day(run):
    run("init")
    then = deadlines_json(run, "--state", "LBN", "--as-of", "2017-02-01")
    clearance = then["CCM:LBN:art4_clearance"]
    assert (clearance["due"], clearance["status"]) == ("2021-05-01", "open")
    assert "extended" not in clearance["note"]
    assert then["CCM:LBN:art4_extension_request:2021-05-01"]["status"] == "open"  # not met in 2017
    now = deadlines_json(run, "--state", "LBN")
    assert now["CCM:LBN:art4_clearance"]["due"] == "2026-05-01"
    assert now["CCM:LBN:art4_extension_request:2021-05-01"]["status"] == "met"
    # Austria destroyed its stocks in 2010: no extension request was ever needed.
    austria = deadlines_json(run, "--state", "AUT")
    assert austria["CCM:AUT:art3_extension_request:2018-08-01"]["status"] == "not_needed"
    letter = run("outreach", "AFG", "--as-of", "2017-02-01").output
    assert "2022-03-01" in letter and "2026-03-01" not in letter  # no later decision
