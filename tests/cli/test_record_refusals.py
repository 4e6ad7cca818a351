"""`record` refuses what it cannot keep as typed: a State that is not a code, a fact without
a source, two days for one fact, a fact under `--treaty all`; nothing is written."""

from __future__ import annotations

import json

import pytest

from tests.cli.running import ccm_here


@pytest.fixture
def registry(database_url, capsys):
    code, _, err = ccm_here(capsys, "init", "--tracking-since", "2026-01-01", "--no-default-recipient")
    assert code == 0, err
    return database_url


def _facts(capsys, iso3: str) -> str:
    code, out, err = ccm_here(capsys, "facts", iso3)
    assert code == 0, err
    return out


REPORT = ["--year", "2025", "--on", "2026-05-02", "--source", "ISU register"]


@pytest.mark.parametrize(("iso3", "said"), [
    ("afg", "error: ISO3: unknown value 'afg' (did you mean AFG?)"),
    ("Afghanistan", "error: ISO3: unknown value 'Afghanistan' (did you mean AFG?)"),
    ("XXX", "error: ISO3: unknown value 'XXX'; States are named by ISO3 code; see `ccm-tracker states`"),
])
def test_record_state_argument_is_checked_like_state_option(registry, capsys, iso3, said):
    before = _facts(capsys, "AFG")
    code, out, err = ccm_here(capsys, "record", "report", iso3, *REPORT)
    assert (code, out) == (2, "")
    assert err.startswith(said), err
    assert _facts(capsys, "AFG") == before


@pytest.mark.parametrize("args", [
    ["record", "report", "AFG", "--initial", "--on", "2012-09-01"],
    ["record", "completion", "AFG", "--article", "4", "--on", "2026-10-01"],
    ["record", "extension", "DEU", "--article", "4", "--until", "2030-08-01", "--meeting", "13MSP"],
    ["record", "applies", "IRL", "--article", "4"],
    ["record", "report", "AFG", "--year", "2025", "--on", "2026-05-02", "--source", "  "],
])
def test_record_without_source_is_refused_naming_source(registry, capsys, args):
    code, out, err = ccm_here(capsys, *args)
    assert (code, out) == (2, "")
    assert err.startswith("error: --source: say where this fact comes from"), err
    assert err.count("\n") == 1


@pytest.mark.parametrize(("args", "said"), [
    (["report", "AFG", "--year", "2025", "--on", "2026-05-02", "--received", "2026-05-03"],
     "error: --on 2026-05-02 and --received 2026-05-03 disagree"),
    (["report", "AFG", "--year", "2025", "--received", "2026-05-02", "--date", "2026-05-04"],
     "error: --received 2026-05-02 and --date 2026-05-04 disagree"),
    (["completion", "AFG", "--article", "4", "--on", "2026-10-01", "--date", "2026-10-02"],
     "error: --on 2026-10-01 and --date 2026-10-02 disagree"),
])
def test_record_refuses_alias_disagreeing_with_on(registry, capsys, args, said):
    before = _facts(capsys, "AFG")
    code, out, err = ccm_here(capsys, "record", *args, "--source", "ISU register")
    assert (code, out) == (2, "")
    assert err.startswith(said), err
    assert _facts(capsys, "AFG") == before


@pytest.mark.parametrize(("command", "alias"), [
    (["report", "AFG", "--year", "2025"], "--received"),
    (["report", "AFG", "--year", "2025"], "--date"),
    (["completion", "AFG", "--article", "4"], "--received"),
    (["completion", "AFG", "--article", "4"], "--date"),
])
def test_record_old_day_options_work_on_report_and_completion(registry, capsys, command, alias):
    code, out, err = ccm_here(capsys, "record", *command, alias, "2026-05-02", "--source", "ISU register")
    assert code == 0, err
    assert "2026-05-02" in out
    # the same day through --on and the alias together is one day, not a conflict
    code, out, err = ccm_here(capsys, "record", *command, "--on", "2026-05-02", alias, "2026-05-02",
                              "--source", "ISU register")
    assert code == 0, err
    assert "already on record" in out


def test_record_under_treaty_all_is_refused_not_recorded_as_ccm(registry, capsys):
    code, out, err = ccm_here(capsys, "--treaty", "all", "record", "report", "SOM", "--year", "2016",
                              "--on", "2026-01-01", "--source", "x")
    assert (code, out) == (2, "")
    assert err.startswith("error: --treaty all: a fact is under one convention"), err
    code, out, err = ccm_here(capsys, "deadlines", "--state", "SOM", "--kind", "art7_annual", "--format", "json")
    assert code == 0, err
    assert not [o for o in json.loads(out) if o["key"] == "CCM:SOM:art7_annual:2016" and o["status"] == "met_late"]


def test_record_under_root_treaty_apmbc_records_the_apmbcs_fact_not_the_ccms(registry, capsys):
    code, out, err = ccm_here(capsys, "--treaty", "apmbc", "record", "report", "SOM", "--year", "2016",
                              "--on", "2026-01-01", "--source", "x")
    assert code == 0, err
    assert out.startswith("recorded: SOM APMBC 2016 annual report received 2026-01-01")
    code, out, err = ccm_here(capsys, "deadlines", "--treaty", "all", "--state", "SOM", "--kind", "art7_annual",
                              "--format", "json")
    rows = {o["key"]: o for o in json.loads(out)}
    assert rows["APMBC:SOM:art7_annual:2016"]["met_on"] == "2026-01-01"
    assert rows["CCM:SOM:art7_annual:2016"]["met_on"] is None
