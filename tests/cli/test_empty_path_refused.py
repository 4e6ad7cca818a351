"""An empty file or folder name is refused in one line naming the option or argument (exit 2),
never taken as the current folder (`Path("")` is `.`)."""

from __future__ import annotations

import pytest

from tests.cli.running import ccm_here


@pytest.mark.parametrize(("args", "named"), [
    (["feed", "export", ""], "'FOLDER'"),
    (["money", "letter", "AFG", "--output", ""], "'--output'"),
    (["outreach", "AFG", "--output", " "], "'--output'"),
    (["import", ""], "'FILE.csv'"),
    (["demo", "load", "--file", ""], "'--file'"),
])
def test_an_empty_path_is_refused_naming_the_option(database_url, capsys, tmp_path, monkeypatch, args, named):
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    code, out, err = ccm_here(capsys, *args)
    assert (code, out) == (2, "")
    assert err.startswith(f"error: Invalid value for {named}: is empty") and err.count("\n") == 1
    assert list(here.iterdir()) == []  # nothing written where it is run
