"""`themes list` shows every convention's themes, each with its conventions: the APMBC's
cooperative compliance (no CCM theme) is listed with its targets, not left out."""

from __future__ import annotations

import json

from tests.cli.running import ccm_here


def test_themes_list_shows_the_apmbc_only_theme_with_its_convention_and_targets(database_url, capsys):
    assert ccm_here(capsys, "init", "--tracking-since", "2026-01-01")[0] == 0
    code, _, err = ccm_here(capsys, "themes", "add-target", "THA", "--theme", "cooperative_compliance",
                            "--treaty", "apmbc", "--source", "Committee on Cooperative Compliance, 2026")
    assert code == 0, err
    code, out, err = ccm_here(capsys, "themes", "list", "--format", "json")
    assert code == 0, err
    rows = {r["theme"]: r for r in json.loads(out)}
    assert rows["cooperative_compliance"]["conventions"] == "APMBC"
    assert rows["cooperative_compliance"]["targets"] == "THA (APMBC)"
    assert rows["national_implementation"]["conventions"] == "CCM"
    assert rows["clearance"]["conventions"] == "CCM APMBC"
    assert list(rows)[:8] == ["transparency", "stockpile_destruction", "clearance", "victim_assistance",
                              "universalization", "cooperation", "national_implementation", "general_status"]
    assert len(rows) == 9
