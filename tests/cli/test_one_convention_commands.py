"""`facts`, `record` and `themes add-target` work on one convention: `--treaty all` is refused
(exit 2) saying why, and a misspelt `--treaty` is answered with the values they take."""

from __future__ import annotations

import pytest

from tests.cli.running import ccm_here

COMMANDS = [
    (["facts", "AFG"], "`facts` shows one convention at a time"),
    (["record", "report", "AFG", "--year", "2025", "--on", "2026-04-10", "--source", "x"],
     "a fact is under one convention"),
    (["themes", "add-target", "AFG", "--theme", "universalization", "--source", "x"],
     "a target is under one convention"),
]


@pytest.mark.parametrize(("args", "why"), COMMANDS)
def test_treaty_all_is_refused_by_a_one_convention_command_saying_why(database_url, capsys, args, why):
    code, out, err = ccm_here(capsys, *args, "--treaty", "all")
    assert (code, out) == (2, "")
    assert err.strip() == f"error: --treaty all: {why}; say --treaty ccm or --treaty apmbc"


@pytest.mark.parametrize(("args", "why"), COMMANDS)
def test_a_misspelt_treaty_on_a_one_convention_command_lists_only_ccm_and_apmbc(database_url, capsys, args, why):
    code, out, err = ccm_here(capsys, *args, "--treaty", "apbmc")
    assert (code, out) == (2, "")
    assert err.strip() == "error: --treaty: unknown value 'apbmc' (did you mean apmbc?); valid: ccm, apmbc"
