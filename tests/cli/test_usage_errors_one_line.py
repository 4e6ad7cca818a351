"""Click's usage errors are refusals like any other: one line `error: ... (see `... --help`)`,
exit 2, no Usage block (README: every refusal is one line on stderr)."""

import pytest

from tests.cli.running import ccm


@pytest.mark.parametrize(("args", "names"), [
    (["deadlines", "--as-of", "2026-13-01"], "--as-of"),
    (["deadlines", "--format", "xml"], "--format"),
    (["deadlines", "--no-such-option"], "--no-such-option"),
    (["--no-such-option", "states"], "--no-such-option"),
    (["deadlines", "--within", "-5"], "--within"),
    (["deadlines", "--within", "99999999999"], "--within"),
    (["deadlines", "--as-of", "9999-12-31"], "--as-of"),
    (["no-such-command"], "no-such-command"),
])
def test_a_usage_error_is_one_error_line_with_exit_2(tmp_path, args, names):
    result = ccm(*args, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ") and names in lines[0] and "--help" in lines[0]
    assert "Usage:" not in result.stderr and result.stdout == ""


def test_a_group_typed_alone_still_shows_its_help(tmp_path):
    result = ccm("record", cwd=tmp_path)
    assert "Usage: ccm-tracker record" in result.stdout + result.stderr
