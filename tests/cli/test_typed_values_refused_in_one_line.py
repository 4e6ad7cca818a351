"""Values a person types (options, CCM_* variables) that the tracker cannot use are refused in
one `error:` line naming the option or variable, never a traceback or exit 70."""

import socket

import pytest

from tests.cli.running import ccm


def one_error_line(result) -> str:
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


@pytest.mark.parametrize(("variable", "value"), [
    ("CCM_TRACKING_SINCE", "garbage"),
    ("CCM_FIRST_ANNUAL_PERIOD", "foo"),
    # numbers outside what they can mean: a note said "(-5 months before the deciding meeting)"
    ("CCM_EXTENSION_REQUEST_LEAD_MONTHS", "-5"),
    ("CCM_ASSUMED_MEETING_MONTHS_BEFORE_DEADLINE", "-1"),
    ("CCM_LINK_MAX_AGE_DAYS", "0"),
    ("CCM_SMTP_TIMEOUT_SECONDS", "0"),
])
def test_an_unreadable_ccm_setting_is_named_in_one_line(tmp_path, variable, value):
    result = ccm("deadlines", cwd=tmp_path, env={variable: value})
    assert result.returncode == 1
    line = one_error_line(result)
    assert variable in line and repr(value) in line


def test_a_database_url_of_no_known_kind_names_ccm_database_url(tmp_path):
    result = ccm("deadlines", cwd=tmp_path, env={"CCM_DATABASE_URL": "bogus://x"})
    assert result.returncode == 1
    assert "CCM_DATABASE_URL: 'bogus://x' is not a database URL" in one_error_line(result)


def test_a_database_url_that_is_no_url_at_all_names_ccm_database_url(tmp_path):
    result = ccm("deadlines", cwd=tmp_path, env={"CCM_DATABASE_URL": "foo"})
    assert result.returncode == 1
    assert "CCM_DATABASE_URL: 'foo' is not a database URL" in one_error_line(result)


def test_an_unparsable_database_url_that_may_hold_a_password_is_not_shown(tmp_path):
    result = ccm("deadlines", cwd=tmp_path, env={"CCM_DATABASE_URL": "user:s3cret@host"})
    assert result.returncode == 1
    line = one_error_line(result)
    assert "CCM_DATABASE_URL is not a database URL" in line and "s3cret" not in line


@pytest.mark.parametrize(("variable", "value", "expected"), [
    ("CCM_FEED_ALARM_DAYS", "abc", "expects whole numbers of days, separated by commas (14,1)"),
    ("CCM_FEED_ALARM_DAYS", "[14,", "is not a JSON list"),
    ("CCM_LOCAL_OUTBOX_TAGS", '["isu"', "is not a JSON list"),
])
def test_an_unreadable_list_setting_says_what_it_expects(tmp_path, variable, value, expected):
    result = ccm("deadlines", cwd=tmp_path, env={variable: value})
    assert result.returncode == 1
    line = one_error_line(result)
    assert f"{variable} {value!r}: " in line and expected in line


def test_an_unreadable_list_setting_in_a_dotenv_file_is_named_too(tmp_path):
    (tmp_path / ".env").write_text("CCM_FEED_ALARM_DAYS=abc\n")
    result = ccm("deadlines", cwd=tmp_path)
    assert result.returncode == 1
    assert "CCM_FEED_ALARM_DAYS 'abc': expects whole numbers" in one_error_line(result)


@pytest.mark.parametrize(("value", "tags"), [
    ("isu", ("isu",)), ("isu, ops", ("isu", "ops")), ('["isu", "ops"]', ("isu", "ops")), ("", ()),
])
def test_local_outbox_tags_take_one_tag_a_comma_separated_list_or_json(monkeypatch, value, tags):
    from settings import Settings

    monkeypatch.setenv("CCM_LOCAL_OUTBOX_TAGS", value)
    assert Settings().local_outbox_tags == tags


@pytest.mark.parametrize(("value", "days"), [("7", (7,)), ("14,1", (14, 1)), ("[14, 1]", (14, 1))])
def test_feed_alarm_days_take_a_comma_separated_list_or_json(monkeypatch, value, days):
    from settings import Settings

    monkeypatch.setenv("CCM_FEED_ALARM_DAYS", value)
    assert Settings().feed_alarm_days == days


@pytest.fixture
def initialised(tmp_path):
    assert ccm("init", cwd=tmp_path).returncode == 0  # with the default recipient (isu)
    return tmp_path


def test_an_outbox_folder_that_cannot_be_created_is_refused_before_any_send(initialised):
    result = ccm("remind", "--as-of", "2027-01-11", cwd=initialised, env={"CCM_OUTBOX_DIR": "/proc/nope"})
    assert result.returncode == 1
    assert "CCM_OUTBOX_DIR names /proc/nope, which cannot be created" in one_error_line(result)


def test_remind_dry_run_refuses_a_missing_apprise_config_as_remind_does(initialised):
    env = {"CCM_APPRISE_CONFIG": str(initialised / "nonexistent.yaml")}
    real = ccm("remind", cwd=initialised, env=env)
    dry = ccm("remind", "--dry-run", cwd=initialised, env=env)
    assert real.returncode == dry.returncode == 1
    assert one_error_line(dry) == one_error_line(real)
    assert "CCM_APPRISE_CONFIG" in one_error_line(dry)


def test_serve_on_a_port_out_of_range_is_a_usage_error(initialised):
    result = ccm("serve", "--port", "99999", cwd=initialised)
    assert result.returncode == 2
    assert "--port" in one_error_line(result)


def test_serve_on_a_port_in_use_says_so_in_one_line(initialised):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = ccm("serve", "--port", str(port), cwd=initialised)
    assert result.returncode == 1
    assert one_error_line(result) == f"error: cannot listen on 127.0.0.1:{port}: Address already in use (--host, --port)"


def test_feed_export_onto_a_file_says_it_is_not_a_folder(initialised):
    (initialised / "somefile").write_text("x")
    result = ccm("feed", "export", "somefile", cwd=initialised)
    assert result.returncode == 2
    assert "somefile is not a folder" in one_error_line(result)
