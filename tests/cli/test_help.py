"""`--help` says what it knows: values by what they are (ISO3, YYYY-MM-DD, table|json|csv),
never a Python type, and one name per kind of date (former names still work, unshown)."""

from __future__ import annotations

import re

import pytest

from cli.app import build_command
from cli.helpformat import DATE_OPTIONS, metavar_of
from tests.cli.running import ccm_here

PYTHON_TYPES = re.compile(r"<(str|int|bool|float|list\[[^\]]*\]|path|datetime)>|\{[a-z_0-9]+\}|list\[")


def command_paths(command=None, prefix=()):
    command = command or build_command()
    yield prefix
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        yield from command_paths(sub, (*prefix, name))


@pytest.mark.parametrize("path", list(command_paths()), ids=lambda p: " ".join(p) or "ccm-tracker")
def test_help_names_values_not_python_types(path, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    code, out, err = ccm_here(capsys, *path, "--help")
    assert code == 0, err
    assert not PYTHON_TYPES.findall(out), out


def test_every_date_option_says_yyyy_mm_dd():
    def walk(command, path=()):
        for param in command.params:
            if DATE_OPTIONS.intersection(getattr(param, "opts", ())):
                yield " ".join(path), param
        for name, sub in getattr(command, "commands", {}).items():
            yield from walk(sub, (*path, name))

    found = list(walk(build_command()))
    assert len(found) > 10
    for where, param in found:
        assert metavar_of(param, None) == "YYYY-MM-DD", (where, param.opts)


def test_date_options_use_one_scheme_and_hide_their_former_names(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    _, pay_help, _ = ccm_here(capsys, "money", "invoice", "pay", "--help")
    assert "--on" in pay_help and "--date" not in pay_help
    _, add_help, _ = ccm_here(capsys, "money", "invoice", "add", "--help")
    assert "--on" in add_help and "--issued" not in add_help
    for command in (["deadlines"], ["remind"], ["scan"], ["money", "shortfall"], ["outreach"], ["themes", "list"]):
        _, text, _ = ccm_here(capsys, *command, "--help")
        assert "--as-of" in text and "YYYY-MM-DD" in text, command


def test_a_former_date_option_name_still_works(database_url, capsys):
    assert ccm_here(capsys, "init", "--no-default-recipient")[0] == 0
    code, out, err = ccm_here(capsys, "money", "invoice", "add", "ISU-2026-AFG", "--state", "AFG",
                              "--amount", "100", "--issued", "2026-01-10", "--source", "ledger")
    assert code == 0, err
    assert "on 2026-01-10" in out
    code, out, err = ccm_here(capsys, "money", "invoice", "pay", "ISU-2026-AFG", "--date", "2026-02-01",
                              "--source", "bank statement")
    assert code == 0, err
    assert "on 2026-02-01" in out


@pytest.mark.parametrize("value", ["20260502", "2026-W18-6", "2026-5-2", "02.05.2026", "2026-02-30"])
def test_a_date_not_in_yyyy_mm_dd_is_a_usage_error(database_url, capsys, value):
    code, _, err = ccm_here(capsys, "deadlines", "--as-of", value)
    assert code == 2
    assert f"'{value}' is not a date (YYYY-MM-DD)" in err


def _help_of(command, path, capsys) -> str:
    capsys.readouterr()
    command.main(args=[*path, "--help"], prog_name="ccm-tracker", standalone_mode=False)
    return capsys.readouterr().out


@pytest.mark.parametrize("path", [p for p in command_paths() if p], ids=" ".join)
def test_the_command_tree_built_for_one_command_answers_as_the_whole_tree(path, capsys, monkeypatch):
    """`main` builds only the command the arguments name (cli.app.build_command): its help,
    options and subcommands are the whole tree's."""
    monkeypatch.setenv("COLUMNS", "200")
    whole, part = build_command(), build_command(list(path))
    assert set(part.commands) == {path[0]}
    assert _help_of(part, path, capsys) == _help_of(whole, path, capsys)


@pytest.mark.parametrize("args", [[], ["--help"], ["deadline"], ["--treaty"], ["--bogus", "deadlines"]])
def test_without_one_known_command_named_the_whole_tree_is_built(args):
    assert set(build_command(args).commands) == set(build_command().commands)


def test_the_root_treaty_option_comes_before_the_command_named():
    assert set(build_command(["--treaty", "apmbc", "deadlines"]).commands) == {"deadlines"}
    assert set(build_command(["--treaty=all", "record", "report"]).commands) == {"record"}


@pytest.mark.parametrize(("path", "default"), [
    (("deadlines",), "ccm (the default)"),
    (("states",), "ccm (the default)"),
    (("scan",), "all of them (the default)"),
    (("remind",), "all of them (the default)"),
    (("outreach",), "all of them (the default)"),
    (("money", "letter"), "all of them (the default)"),
    (("money", "invoice", "list"), "all of them (the default)"),
    (("meetings", "list"), "default: all"),
], ids=lambda v: " ".join(v) if isinstance(v, tuple) else None)
def test_each_treaty_option_names_the_default_its_command_uses(path, default, capsys, monkeypatch):
    """`remind`, `scan`, letters, outreach and money concern every convention unless told
    otherwise (cli.common.chosen_treaties(..., default="all")); their help said ccm."""
    monkeypatch.setenv("COLUMNS", "200")
    code, out, err = ccm_here(capsys, *path, "--help")
    assert code == 0, err
    assert default in " ".join(out.split()), out
