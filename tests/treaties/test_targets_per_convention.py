"""Outreach targets per convention (`themes add-target --treaty`), universalization targets
not party to their convention, and `outreach --overlaps` across both conventions' targets."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlmodel import func, select

from models.committee import TargetState
from models.db import session_scope
from tests.cli.running import ccm_here


@pytest.fixture
def registry(database_url, capsys):
    code, _, err = ccm_here(capsys, "init", "--tracking-since", "2026-01-01", "--no-default-recipient")
    assert code == 0, err
    return database_url


def target(capsys, iso3: str, theme: str, *more: str) -> tuple[int, str, str]:
    return ccm_here(capsys, "themes", "add-target", iso3, "--theme", theme, "--source", "CC minutes", *more)


def _targets() -> list[tuple[str, str, str]]:
    with session_scope() as session:
        return sorted((t.treaty, t.theme, t.iso3) for t in session.exec(select(TargetState)).all())


def test_a_target_is_under_one_convention_the_ccm_by_default_and_the_same_theme_under_both_is_two_rows(
    registry, capsys
):
    assert target(capsys, "USA", "universalization")[1] == "created: USA targeted by universalization under the CCM\n"
    code, out, err = target(capsys, "USA", "universalization", "--treaty", "apmbc")
    assert code == 0, err
    assert out == "created: USA targeted by universalization under the APMBC\n"
    assert target(capsys, "USA", "universalization", "--treaty", "apmbc")[1].startswith("unchanged:")
    assert _targets() == [("APMBC", "universalization", "USA"), ("CCM", "universalization", "USA")]
    # the APMBC's own theme (its Committee on Cooperative Compliance) is an APMBC theme only
    assert target(capsys, "THA", "cooperative_compliance", "--treaty", "apmbc")[0] == 0
    code, out, err = target(capsys, "THA", "cooperative_compliance")
    assert (code, out) == (2, "") and err.strip() == (
        "error: --theme: cooperative_compliance is an APMBC theme (use --treaty apmbc)")


def test_a_universalization_target_must_not_be_a_party_to_that_convention_on_the_day(registry, capsys):
    # Afghanistan is a party to both; Thailand to the APMBC only
    for treaty in ("ccm", "apmbc"):
        code, out, err = target(capsys, "AFG", "universalization", "--treaty", treaty)
        assert (code, out) == (2, "")
        assert err.startswith(f"error: ISO3: AFG (Afghanistan) is a party to the {treaty.upper()} on "), err
        assert "a universalization target is a State not party to it" in err and err.count("\n") == 1
    code, _, err = target(capsys, "THA", "universalization", "--treaty", "apmbc")
    assert code == 2 and "deposited 1998-11-27" in err
    assert target(capsys, "THA", "universalization")[0] == 0  # not a CCM party: a CCM target
    # a party on another theme is fine (clearance work with an APMBC party)
    assert target(capsys, "THA", "clearance", "--treaty", "apmbc")[0] == 0
    # Lithuania's APMBC withdrawal took effect on 2025-12-27: a target again after, not before
    assert target(capsys, "LTU", "universalization", "--treaty", "apmbc", "--as-of", "2025-12-26")[0] == 2
    assert target(capsys, "LTU", "universalization", "--treaty", "apmbc", "--as-of", "2025-12-27")[0] == 0
    assert _targets() == [("APMBC", "clearance", "THA"), ("APMBC", "universalization", "LTU"),
                          ("CCM", "universalization", "THA")]


@pytest.mark.parametrize(("args", "said"), [
    (["USA", "--theme", "universalization", "--treaty", "all", "--source", "x"],
     "error: --treaty all: a target is under one convention"),
    (["USA", "--theme", "universalization", "--treaty", "ottawa", "--source", "x"],
     "error: --treaty: unknown value 'ottawa'"),
    (["USA", "--theme", "universalisation", "--treaty", "apmbc", "--source", "x"],
     "error: --theme: unknown value 'universalisation'"),
    (["USA", "--theme", "universalization", "--source", " "], "error: --source: say where the target was set"),
    (["usa", "--theme", "universalization", "--source", "x"], "error: ISO3: unknown value 'usa'"),
])
def test_bad_target_input_is_one_sentence_naming_the_option_exit_2_nothing_written(registry, capsys, args, said):
    code, out, err = ccm_here(capsys, "themes", "add-target", *args)
    assert (code, out) == (2, "")
    assert err.startswith(said), err
    assert err.count("\n") == 1
    with session_scope() as session:
        assert session.exec(select(func.count()).select_from(TargetState)).one() == 0


def _overlap_targets(capsys) -> None:
    for args in (
        ("USA", "universalization"), ("USA", "universalization", "--treaty", "apmbc"),  # one theme, both
        ("AFG", "victim_assistance"), ("AFG", "clearance", "--treaty", "apmbc"),  # two themes, both
        ("THA", "clearance", "--treaty", "apmbc"), ("THA", "cooperative_compliance", "--treaty", "apmbc"),
        ("LBN", "clearance"),  # one pair: no overlap
    ):
        code, _, err = target(capsys, *args)
        assert code == 0, err


def test_overlaps_span_both_conventions_with_each_themes_convention_and_the_letter_that_covers_it(
    registry, capsys
):
    _overlap_targets(capsys)
    code, out, err = ccm_here(capsys, "outreach", "--overlaps", "--format", "json")
    assert code == 0, err
    rows = {r["state"]: r for r in json.loads(out)}
    assert sorted(rows) == ["AFG", "THA", "USA"]
    assert rows["USA"]["themes"] == ["universalization (CCM)", "universalization (APMBC)"]
    assert rows["AFG"]["themes"] == ["victim_assistance (CCM)", "clearance (APMBC)"]
    assert (rows["USA"]["joint_letter"], rows["USA"]["letter"], rows["USA"]["party_to"]) == (
        True, "outreach USA", ["none"])
    assert (rows["AFG"]["treaties"], rows["AFG"]["joint_letter"], rows["AFG"]["party_to"]) == (
        ["CCM", "APMBC"], True, ["CCM", "APMBC"])
    assert (rows["THA"]["treaties"], rows["THA"]["joint_letter"], rows["THA"]["letter"]) == (
        ["APMBC"], False, "outreach --treaty apmbc THA")
    # one convention's targets only: the CCM has no State with two pairs
    code, out, _ = ccm_here(capsys, "outreach", "--overlaps", "--treaty", "ccm", "--format", "json")
    assert json.loads(out) == []


def test_the_overlap_table_and_json_agree(registry, capsys):
    _overlap_targets(capsys)
    _, out, _ = ccm_here(capsys, "outreach", "--overlaps", "--format", "json")
    rows = json.loads(out)
    _, out, _ = ccm_here(capsys, "outreach", "--overlaps", "--format", "csv")
    table = list(csv.DictReader(io.StringIO(out.lstrip("\ufeff"))))

    def cell(value: object) -> str:
        return " ".join(map(str, value)) if isinstance(value, list) else str(value)

    assert table == [{k: cell(v) for k, v in row.items()} for row in rows]
    code, out, _ = ccm_here(capsys, "outreach", "--overlaps")
    assert code == 0 and out.startswith("3 States targeted by more than one (convention, theme) pair")
    flat = " ".join(out.split())
    for row in rows:
        assert f"{row['state']} " in flat and row["letter"].split()[-1] in flat


def test_the_joint_letter_carries_each_ask_under_its_convention_and_one_conventions_letter_only_its_own(
    registry, capsys
):
    _overlap_targets(capsys)
    code, out, err = ccm_here(capsys, "outreach", "USA", "--as-of", "2026-11-29")
    assert code == 0, err
    assert "## Universalization\n" in out
    assert "## Universalization (Anti-Personnel Mine Ban Convention)\n" in out
    assert "ask you to consider joining the Anti-Personnel Mine Ban Convention." in out
    assert "ask you to consider joining the Convention on Cluster Munitions." in out
    code, out, err = ccm_here(capsys, "outreach", "USA", "--treaty", "ccm", "--as-of", "2026-11-29")
    assert code == 0, err
    assert "Anti-Personnel" not in out and "## Universalization\n" in out
