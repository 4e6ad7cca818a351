"""A kind, theme or State that belongs to the other convention is refused in one line (exit 2)
naming the option and the `--treaty` to use, never answered with an empty table or called
"unknown"."""

from __future__ import annotations

import pytest

from tests.cli.running import ccm_here


@pytest.fixture
def registry(database_url, capsys):
    code, _, err = ccm_here(capsys, "init", "--tracking-since", "2026-01-01", "--no-default-recipient")
    assert code == 0, err
    return database_url


@pytest.mark.parametrize(("args", "expected"), [
    (["--kind", "art5_clearance"], "error: --kind: art5_clearance is an APMBC kind (use --treaty apmbc)"),
    (["--treaty", "apmbc", "--kind", "art3_stockpile"], "error: --kind: art3_stockpile is a CCM kind (use --treaty ccm)"),
    (["--theme", "cooperative_compliance"], "error: --theme: cooperative_compliance is an APMBC theme (use --treaty apmbc)"),
    (["--treaty", "apmbc", "--theme", "national_implementation"],
     "error: --theme: national_implementation is a CCM theme (use --treaty ccm)"),
])
def test_deadlines_refuses_a_kind_or_theme_of_the_other_convention(registry, capsys, args, expected):
    code, out, err = ccm_here(capsys, "deadlines", *args)
    assert (code, out) == (2, "")
    assert err.strip() == expected


def test_deadlines_takes_a_kind_of_either_convention_under_treaty_all(registry, capsys):
    code, out, err = ccm_here(capsys, "deadlines", "--treaty", "all", "--kind", "art5_clearance",
                              "--kind", "art3_stockpile", "--format", "csv")
    assert code == 0, err
    kinds = {line.split(",")[4] for line in out.splitlines()[1:]}
    assert "art5_clearance" in kinds


@pytest.mark.parametrize("args", [
    ["deadlines", "--state", "THA"],
    ["facts", "THA"],
    ["record", "report", "THA", "--year", "2025", "--on", "2026-04-10", "--source", "x"],
    ["scan", "--no-prefect", "--treaty", "ccm", "--state", "THA"],
])
def test_a_state_only_in_the_apmbc_is_refused_with_the_treaty_to_use(registry, capsys, args):
    code, out, err = ccm_here(capsys, *args)
    assert (code, out) == (2, "")
    assert err.strip() == ("error: " + ("--state" if "--state" in args else "ISO3")
                           + ": THA is not in the CCM registry but is an APMBC participant (use --treaty apmbc)")


def test_a_state_only_in_the_ccm_is_refused_under_the_apmbc_with_the_treaty_to_use(registry, capsys):
    code, out, err = ccm_here(capsys, "facts", "CUB", "--treaty", "apmbc")
    assert (code, out) == (2, "")
    assert err.strip() == "error: ISO3: CUB is not in the APMBC registry but is a CCM participant (use --treaty ccm)"


def test_a_state_in_neither_convention_stays_unknown(registry, capsys):
    code, _, err = ccm_here(capsys, "facts", "USA", "--treaty", "apmbc")
    assert code == 2 and err.startswith("error: ISO3: unknown value 'USA'")


def test_scan_takes_a_state_of_the_apmbc_when_it_scans_the_apmbc(registry, capsys):
    code, _, err = ccm_here(capsys, "scan", "--no-prefect", "--state", "THA")
    assert code == 0, err


def test_money_invoice_list_checks_the_state_against_the_conventions_it_lists(registry, capsys):
    assert ccm_here(capsys, "money", "invoice", "list", "--state", "THA")[0] == 0  # both, by default
    code, out, err = ccm_here(capsys, "money", "invoice", "list", "--state", "THA", "--treaty", "ccm")
    assert (code, out) == (2, "")
    assert err.strip() == "error: --state: THA is not in the CCM registry but is an APMBC participant (use --treaty apmbc)"
