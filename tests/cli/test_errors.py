"""Errors a person can act on, never tracebacks: what `ccm-tracker` prints when the database
cannot be used, a file cannot be written, or something unexpected happens."""

from __future__ import annotations

import pytest

from tests.cli.running import ccm


def test_a_command_where_no_database_exists_says_so_and_creates_nothing(tmp_path):
    result = ccm("states", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"error: no database at {tmp_path / 'ccm-tracker.db'}; run `ccm-tracker init` or set CCM_DATABASE_URL"
    )
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", [["deadlines"], ["facts", "AFG"], ["record", "report", "AFG", "--year", "2025", "--source", "x"],
                                     ["remind"], ["feed", "export", "feeds"]])
def test_no_command_but_init_creates_a_database(tmp_path, command):
    url = f"sqlite:///{tmp_path / 'elsewhere.db'}"
    result = ccm(*command, cwd=tmp_path, env={"CCM_DATABASE_URL": url})
    assert result.returncode == 1, result.stderr
    assert "no database at" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "elsewhere.db").exists()
    assert not (tmp_path / "feeds").exists()


def test_init_into_a_folder_that_does_not_exist_names_the_folder(tmp_path):
    missing = tmp_path / "no-such-folder"
    result = ccm("init", cwd=tmp_path, env={"CCM_DATABASE_URL": f"sqlite:///{missing / 'x.db'}"})
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"error: cannot open the database at {missing / 'x.db'}: the folder {missing} does not exist"
    )


def test_a_file_that_is_not_a_database_is_named(tmp_path):
    (tmp_path / "notes.db").write_text("these are my notes, not SQLite\n" * 20)
    result = ccm("states", cwd=tmp_path, env={"CCM_DATABASE_URL": "sqlite:///notes.db"})
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"error: {tmp_path / 'notes.db'} is not an SQLite database (CCM_DATABASE_URL names another kind of file)"
    )


def test_writing_to_a_read_only_database_is_refused_in_one_sentence(tmp_path):
    assert ccm("init", "--no-default-recipient", cwd=tmp_path).returncode == 0
    read_only = {"CCM_DATABASE_URL": "sqlite:///file:ccm-tracker.db?mode=ro&uri=true"}
    listed = ccm("states", "--format", "json", cwd=tmp_path, env=read_only)
    assert listed.returncode == 0 and '"AFG"' in listed.stdout  # reading works
    result = ccm("record", "report", "AFG", "--year", "2025", "--received", "2026-05-02", "--source", "x", cwd=tmp_path, env=read_only)
    assert result.returncode == 1
    assert result.stderr.strip().startswith(f"error: the database at {tmp_path / 'ccm-tracker.db'} is read-only")
    assert "recorded" not in result.stdout


def test_a_read_only_url_is_honoured_without_a_warning_and_names_mode_ro(tmp_path):
    # `?mode=ro` without `uri=true` was ignored by the driver (a SAWarning on stderr, and the
    # file opened read-write); with `uri=true` alone it opened a file named `...db?mode=ro`.
    assert ccm("init", "--no-default-recipient", cwd=tmp_path).returncode == 0
    for url in ("sqlite:///ccm-tracker.db?mode=ro", "sqlite:///ccm-tracker.db?mode=ro&uri=true"):
        listed = ccm("states", "--format", "json", cwd=tmp_path, env={"CCM_DATABASE_URL": url})
        assert listed.returncode == 0 and '"AFG"' in listed.stdout
        assert listed.stderr == ""
        result = ccm("record", "report", "AFG", "--year", "2025", "--received", "2026-05-02",
                     "--source", "x", cwd=tmp_path, env={"CCM_DATABASE_URL": url})
        assert result.returncode == 1
        assert result.stderr.strip() == (
            f"error: the database at {tmp_path / 'ccm-tracker.db'} is read-only here (mode=ro in "
            "CCM_DATABASE_URL): this command writes; run it without mode=ro")
    assert not [p.name for p in tmp_path.iterdir() if "?" in p.name]  # no `ccm-tracker.db?mode=ro`


def test_an_unwritable_output_path_is_named(tmp_path):
    assert ccm("init", "--no-default-recipient", cwd=tmp_path).returncode == 0
    result = ccm("outreach", "AFG", "--output", str(tmp_path / "missing" / "letter.md"), cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        f"error: cannot use {tmp_path / 'missing' / 'letter.md'}: No such file or directory"
    )


def test_a_refused_fact_is_one_sentence_with_exit_1(tmp_path):
    assert ccm("init", "--no-default-recipient", cwd=tmp_path).returncode == 0
    result = ccm("record", "report", "AGO", "--year", "2025", "--received", "2026-05-02", "--source", "x", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip() == "error: AGO (Angola) is a signatory: it has no obligations"


def test_an_unexpected_error_is_one_line_with_the_debug_hint(monkeypatch, capsys):
    import cli.app

    def broken(**_):
        raise KeyError("obligations")

    monkeypatch.setattr(cli.app, "build_command", lambda *_: broken)
    monkeypatch.delenv("CCM_DEBUG", raising=False)
    with pytest.raises(SystemExit) as exit_:
        cli.app.main(["deadlines"])
    assert exit_.value.code == 70
    assert capsys.readouterr().err == (
        "error: unexpected KeyError: 'obligations' (a bug; rerun with CCM_DEBUG=1 for the traceback)\n"
    )
    monkeypatch.setenv("CCM_DEBUG", "1")
    with pytest.raises(KeyError):
        cli.app.main(["deadlines"])


def test_a_database_server_that_cannot_be_reached_is_named_not_called_a_bug(tmp_path):
    url = "postgresql+psycopg://ccm@no-such-host.invalid:5432/ccm"
    result = ccm("states", cwd=tmp_path, env={"CCM_DATABASE_URL": url})
    assert result.returncode == 1
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"error: cannot connect to the database at {url}: ")
    assert "no-such-host.invalid" in line and "bug" not in line
