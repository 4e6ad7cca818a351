"""`--treaty` on the command line, as a person types it (the entry point, its output)."""

import json

from tests.cli.running import ccm_here


def test_apmbc_states_lists_166_participants_with_entry_into_force_and_status(database_url, capsys):
    assert ccm_here(capsys, "init", "--tracking-since", "2026-01-01")[0] == 0
    code, out, err = ccm_here(capsys, "--treaty", "apmbc", "states", "--format", "json")
    assert code == 0, err
    states = {s["iso3"]: s for s in json.loads(out)}
    assert len(states) == 166
    assert {s["treaty"] for s in states.values()} == {"APMBC"}
    assert states["AFG"]["entry_into_force"] == "2003-03-01"
    assert states["BFA"]["entry_into_force"] == "1999-03-01"
    assert states["AFG"]["status"] == "party"
    withdrawn = sorted(i for i, s in states.items() if s["status"] == "withdrawn")
    assert withdrawn == ["EST", "FIN", "LTU", "LVA", "POL"]  # Poland's took effect 2026-02-20
    # the CCM stays the default, and the table says how many
    code, out, _ = ccm_here(capsys, "states", "--format", "json")
    assert len(json.loads(out)) == 124
    code, out, _ = ccm_here(capsys, "states", "--treaty", "apmbc")
    assert code == 0 and "166 States" in out


def test_deadlines_for_all_treaties_show_afghanistan_under_both(database_url, capsys):
    assert ccm_here(capsys, "init", "--tracking-since", "2026-01-01")[0] == 0
    code, out, err = ccm_here(
        capsys, "deadlines", "--treaty", "all", "--state", "AFG", "--format", "json", "--as-of", "2026-11-29")
    assert code == 0, err
    rows = {r["key"]: r for r in json.loads(out)}
    assert {r["treaty"] for r in rows.values()} == {"CCM", "APMBC"}
    assert rows["CCM:AFG:art7_initial"]["treaty"] == "CCM"
    clearance = rows["APMBC:AFG:art5_clearance"]
    assert (clearance["due"], clearance["original_due"]) == ("2025-03-01", "2013-03-01")
    assert clearance["state_name"] == "Afghanistan"
    # an APMBC-only State is known under --treaty apmbc, and refused (with the reason) under the CCM
    code, out, err = ccm_here(capsys, "deadlines", "--treaty", "apmbc", "--state", "THA", "--format", "json")
    assert code == 0 and all(r["key"].startswith("APMBC:THA:") for r in json.loads(out))
    code, _, err = ccm_here(capsys, "deadlines", "--state", "THA")
    assert code == 2 and "THA" in err


def test_an_unknown_treaty_is_refused_with_the_valid_values(database_url, capsys):
    assert ccm_here(capsys, "init")[0] == 0
    code, out, err = ccm_here(capsys, "--treaty", "ottawa", "states")
    assert code == 2 and out == ""
    assert "--treaty" in err and "apmbc" in err


def test_facts_under_the_apmbc_say_the_list_is_not_exhaustive(database_url, capsys):
    assert ccm_here(capsys, "init")[0] == 0
    code, out, err = ccm_here(capsys, "facts", "--treaty", "apmbc", "UKR")
    assert code == 0, err
    assert "in force 2006-06-01" in out
    assert "deadline in force 2010-06-01 (original 2010-06-01)" in out  # Art. 4, never extended
    assert "the article applies (stockpiles held)" in out
    assert "the list is not exhaustive" in " ".join(out.split())
    code, out, err = ccm_here(capsys, "--treaty", "apmbc", "facts", "FRA")
    assert code == 0, err
    assert "No Art. 4 / Art. 5 facts on record for FRA" in " ".join(out.split())
    assert "not a proven absence" in " ".join(out.split())
