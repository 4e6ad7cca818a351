"""`invite` refuses an unknown meeting slug or deadline key before looking at recipients (exit 2, did you mean)."""

from tests.cli.running import ccm


def test_invite_to_an_unknown_meeting_names_the_slug_not_the_recipients(tmp_path):
    assert ccm("init", cwd=tmp_path).returncode == 0
    result = ccm("invite", "cc-2017-01-25", "--recipient", "isu", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: SLUG: unknown value 'cc-2017-01-25'")
    assert "isu" not in lines[0]


def test_invite_to_an_unknown_deadline_names_the_key_not_the_recipients(tmp_path):
    assert ccm("init", cwd=tmp_path).returncode == 0
    result = ccm("invite", "--deadline", "CCM:AFG:art7_anual:2026", "--recipient", "nobody", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        "error: --deadline: unknown value 'CCM:AFG:art7_anual:2026' (did you mean CCM:AFG:art7_annual:2026?)")
    assert "nobody" not in lines[0]
