"""What the command line prints: stored text as text, whole keys in a pipe, CSV Excel opens."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest

from tests.cli.running import ccm, ccm_here

CASES = Path("/work/shared/cases")
INJECTED_NAME = (
    'state,iso3,signature_date,deposit_date,instrument,provisional_application_date,'
    'withdrawal_effective_date,source,notes\n'
    '"Afghanistan [/] [bold]END:VCALENDAR[/bold]",AFG,2008-12-03,2011-09-08,'
    'ratification,,,"<b>UN</b> [/]",\n'
)


def test_stored_text_with_rich_markup_is_printed_as_text(tmp_path):
    assert ccm("init", "--no-default-recipient", cwd=tmp_path).returncode == 0
    recorded = ccm("record", "report", "AFG", "--year", "2025", "--received", "2026-05-02",
                   "--source", "[/] [bold]ISU[/bold] [link=x]", cwd=tmp_path)
    assert recorded.returncode == 0, recorded.stderr
    facts = ccm("facts", "AFG", cwd=tmp_path)
    assert facts.returncode == 0, facts.stderr
    assert "[/] [bold]ISU[/bold] [link=x]" in facts.stdout
    (tmp_path / "inject.csv").write_text(INJECTED_NAME)
    imported = ccm("import", "inject.csv", "--correct", "--reason", "a test of markup", cwd=tmp_path)
    assert imported.returncode == 0, imported.stderr
    for args in (["states"], ["facts", "AFG"], ["deadlines", "--state", "AFG"]):
        shown = ccm(*args, cwd=tmp_path)
        assert shown.returncode == 0, (args, shown.stderr)
        assert "Traceback" not in shown.stderr
    assert "Afghanistan [/] [bold]END:VCALENDAR[/bold]" in ccm("states", cwd=tmp_path).stdout
    assert "<b>UN</b> [/]" in ccm("facts", "AFG", cwd=tmp_path).stdout


def test_a_table_piped_to_a_file_keeps_whole_keys_and_slugs(tmp_path):
    assert ccm("init", cwd=tmp_path).returncode == 0
    assert ccm("demo", "load", cwd=tmp_path).returncode == 0  # into ccm-demo.db beside it
    demo = {"COLUMNS": "80", "CCM_DATABASE_URL": f"sqlite:///{tmp_path / 'ccm-demo.db'}"}
    listed = ccm("action", "list", cwd=tmp_path, env=demo)
    slugs = [a["slug"] for a in json.loads(ccm("action", "list", "--format", "json", cwd=tmp_path, env=demo).stdout)]
    assert slugs and all(slug in listed.stdout for slug in slugs)
    assert "…" not in listed.stdout
    meetings = ccm("meetings", "list", cwd=tmp_path, env=demo)
    assert "cc-2017-01-25" in meetings.stdout and "…" not in meetings.stdout
    due = ccm("deadlines", "--as-of", "2026-11-26", cwd=tmp_path, env={"COLUMNS": "80"})
    assert due.returncode == 0, due.stderr
    # (the 2025 annual reports are `unverified` with no register kept: not in the table)
    assert "CCM:LBN:art4_clearance" in due.stdout and "CCM:AFG:art4_clearance" in due.stdout
    assert "…" not in due.stdout


def test_deadlines_csv_is_utf8_with_bom_crlf_state_names_and_days_late(database_url, capsys):
    assert ccm_here(capsys, "init", "--tracking-since", "2026-01-01", "--no-default-recipient")[0] == 0
    code, out, err = ccm_here(capsys, "deadlines", "--format", "csv", "--as-of", "2026-11-26",
                              "--state", "LBN", "--state", "CIV")
    assert code == 0, err
    raw = out.encode("utf-8")
    assert raw.startswith(b"\xef\xbb\xbftreaty,key,state,state_name,")
    assert b"\r\n" in raw and raw.count(b"\n") == raw.count(b"\r\n")
    rows = {r["key"]: r for r in csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline=""))}
    lebanon = rows["CCM:LBN:art4_clearance"]
    assert (lebanon["state_name"], lebanon["status"], lebanon["due"]) == ("Lebanon", "overdue", "2026-05-01")
    assert lebanon["days_late"] == "209"  # 2026-05-01 to 2026-11-26
    assert any(r["state_name"] == "Côte d'Ivoire" for r in rows.values())
    on_time = [r for r in rows.values() if r["status"] in ("open", "met") and r["met_on"] <= r["due"]]
    assert on_time and all(r["days_late"] == "" for r in on_time)


def test_a_trailing_newline_is_not_a_valid_name_tag_email_or_slug(tmp_path):
    assert ccm("init", "--no-default-recipient", cwd=tmp_path).returncode == 0
    for args in (["recipients", "add", "eve\n", "--tag", "eve"],
                 ["recipients", "add", "bad", "--tag", "bad\n"],
                 ["recipients", "add", "bad", "--tag", "bad", "--email", "bad@example.org\n"],
                 ["action", "add", "va-letter\n", "--title", "t", "--theme", "victim_assistance"],
                 ["meetings", "add", "cc-2027\n", "--title", "t", "--kind", "coordination_committee",
                  "--source", "s"],
                 ["money", "invoice", "add", "ISU-1\n", "--state", "AFG", "--amount", "1",
                  "--source", "ledger"]):
        refused = ccm(*args, cwd=tmp_path)
        assert refused.returncode == 2, (args, refused.stdout)  # a value not in its option's form
        assert refused.stderr.startswith("error: ") and "Traceback" not in refused.stderr
    assert "eve" not in ccm("recipients", "list", cwd=tmp_path).stdout


def test_the_shared_cases_still_pass(tmp_path):
    """The recipes in /work/shared/cases that this scope fixes, when the folder is there."""
    if not CASES.is_dir():
        return
    shutil.copy(CASES / "inject_state_name.csv", tmp_path)
    assert ccm("init", "--no-default-recipient", cwd=tmp_path).returncode == 0
    refused = ccm("import", "inject_state_name.csv", cwd=tmp_path)  # a name with line breaks
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert ccm("states", cwd=tmp_path).returncode == 0


def test_days_late_is_given_for_overdue_and_met_late_only(database_url, capsys):
    # an extension request granted by the deadline it extends is `met` though granted after
    # the request's own due day (AFG's Art. 4 requests; the APMBC's Art. 5 ones): not late
    assert ccm_here(capsys, "init", "--tracking-since", "2026-01-01", "--no-default-recipient")[0] == 0
    code, out, err = ccm_here(capsys, "deadlines", "--treaty", "all", "--format", "json", "--as-of", "2026-11-26")
    assert code == 0, err
    rows = json.loads(out)
    met_after_due = [r for r in rows if r["status"] == "met" and r["met_on"] and r["met_on"] > r["due"]]
    assert met_after_due  # the case the rule is about exists in the bundled data
    for row in rows:
        late = row["status"] in ("overdue", "met_late")
        assert (row["days_late"] is not None) == late, row



@pytest.mark.parametrize("command", [["deadlines", "--state", "AFG"], ["states"]])
def test_a_csv_has_the_same_columns_whatever_the_convention_and_every_json_field(database_url, capsys, command):
    """A spreadsheet built on one export reads the next: the CSV's header does not depend on
    --treaty (it had a treaty column only with --treaty apmbc|all), and it has every field the
    JSON gives (deadlines' `days`, states' `signature_date` and `instrument` were JSON only)."""
    assert ccm_here(capsys, "init", "--tracking-since", "2026-01-01", "--no-default-recipient")[0] == 0
    headers, fields = set(), set()
    for treaty in ("ccm", "apmbc", "all"):
        code, out, err = ccm_here(capsys, *command, "--treaty", treaty, "--format", "csv")
        assert code == 0, err
        headers.add(out.removeprefix("\ufeff").splitlines()[0])
        code, out, err = ccm_here(capsys, *command, "--treaty", treaty, "--format", "json")
        assert code == 0, err
        fields |= {field for row in json.loads(out) for field in row}
    [header] = headers
    assert header.startswith("treaty,")
    assert set(header.split(",")) == fields
