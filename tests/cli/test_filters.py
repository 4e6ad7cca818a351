"""Filters refuse what they do not know: a typo is exit 2 with the valid values and the
likeliest one meant, never an empty table that reads as "nothing is due"."""

from __future__ import annotations

import json

import pytest

from tests.cli.running import ccm_here


@pytest.fixture
def registry(database_url, capsys):
    code, _, err = ccm_here(capsys, "init", "--tracking-since", "2026-01-01", "--no-default-recipient")
    assert code == 0, err
    return database_url


@pytest.mark.parametrize(("args", "said"), [
    (["deadlines", "--kind", "art7"],
     "error: --kind: unknown value 'art7' (did you mean art7_initial or art7_annual?); valid: "),
    (["deadlines", "--state", "XXX"],
     "error: --state: unknown value 'XXX'; States are named by ISO3 code; see `ccm-tracker states`"),
    (["deadlines", "--state", "Afghanistan"],
     "error: --state: unknown value 'Afghanistan' (did you mean AFG?); States are named by ISO3 code"),
    (["deadlines", "--state", "afg"],
     "error: --state: unknown value 'afg' (did you mean AFG?); States are named by ISO3 code"),
    (["deadlines", "--theme", "transparncy"],
     "error: --theme: unknown value 'transparncy' (did you mean transparency?); valid: transparency, "),
    (["states", "--status", "parties"],
     "error: --status: unknown value 'parties' (did you mean party?); valid: party, signatory, withdrawn"),
    (["facts", "Lebanon"], "error: ISO3: unknown value 'Lebanon' (did you mean LBN?)"),
    (["outreach", "lbn"], "error: ISO3: unknown value 'lbn' (did you mean LBN?)"),
    (["scan", "--state", "Afghanistan"], "error: --state: unknown value 'Afghanistan' (did you mean AFG?)"),
    (["action", "list", "--status", "closed"], "error: --status: unknown value 'closed'; valid: open, done, dropped"),
    (["subscribe", "x", "--kind", "art7_anual"], "error: --kind: unknown value 'art7_anual' (did you mean art7_annual"),
    (["recipients", "add", "x", "--tag", "x", "--theme", "Clearance"],
     "error: --theme: unknown value 'Clearance' (did you mean clearance?)"),
    (["meetings", "list", "--show-in", "Europe/Geneva"], "error: --show-in: unknown value 'Europe/Geneva'"),
])
def test_an_unknown_filter_value_is_refused_with_exit_2_and_the_values_meant(registry, capsys, args, said):
    code, out, err = ccm_here(capsys, *args)
    assert (code, out) == (2, "")
    assert err.startswith(said), err
    assert len(err.strip().splitlines()) == 1


def test_a_kind_typo_lists_every_valid_kind(registry, capsys):
    _, _, err = ccm_here(capsys, "deadlines", "--kind", "art7")
    for kind in ("art7_initial", "art7_annual", "art3_stockpile", "art4_clearance",
                 "art4_extension_request", "meeting_funds", "action_item"):
        assert kind in err


def test_deadlines_theme_joins_the_other_filters(registry, capsys):
    def keys(*args):
        code, out, err = ccm_here(capsys, "deadlines", "--format", "json", "--as-of", "2026-11-26", *args)
        assert code == 0, err
        return {o["key"] for o in json.loads(out)}

    clearance = keys("--theme", "clearance")
    assert "CCM:LBN:art4_clearance" in clearance
    assert all(":art4_" in k for k in clearance)
    both = keys("--theme", "clearance", "--theme", "transparency", "--state", "LBN")
    assert {"CCM:LBN:art4_clearance", "CCM:LBN:art7_initial"} <= both
    assert all(k.startswith("CCM:LBN:") for k in both)
    assert keys("--theme", "transparency", "--kind", "art4_clearance") == set()  # AND across filters
    assert keys("--theme", "clearance", "--state", "LBN", "--kind", "art4_clearance") == {"CCM:LBN:art4_clearance"}


def test_valid_codes_still_answer(registry, capsys):
    code, out, err = ccm_here(capsys, "deadlines", "--state", "AFG", "--format", "json")
    assert code == 0, err
    assert {o["state"] for o in json.loads(out)} == {"AFG"}
