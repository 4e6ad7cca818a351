"""`invite` refuses an unknown meeting slug before looking at recipients (exit 2, did you mean)."""

from tests.cli.running import ccm


def test_invite_to_an_unknown_meeting_names_the_slug_not_the_recipients(tmp_path):
    assert ccm("init", cwd=tmp_path).returncode == 0
    result = ccm("invite", "cc-2017-01-25", "--recipient", "isu", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: SLUG: unknown value 'cc-2017-01-25'")
    assert "isu" not in lines[0]
