"""Delivery per address, and the Apprise config checked before anything is claimed."""

import datetime as dt
import shutil
from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from cli.app import app
from models.db import session_scope
from models.reminders import Delivery, Reminder
from notifications.channels.apprise_channel import ConfigurationError
from notifications.policy import ReminderPolicy
from notifications.service import run_reminders
from settings import get_settings, reset_settings_cache
from tests.conftest import free_port
from tests.reminders.factories import NOW, make_obligation, make_recipient, write_apprise_config

AS_OF = dt.date(2026, 3, 2)
CASES = Path(__file__).parent / "cases"  # copies of /work/shared/cases (issue 11)
FAST_RETRY = ReminderPolicy(retry_backoff_minutes=(0, 0, 0, 0))


def default_url(port: int, to: str) -> str:
    return f"mailto://127.0.0.1:{port}?from=isu@example.org&to={to}"


def _use(monkeypatch, config: Path | None) -> object:
    if config is None:
        monkeypatch.delenv("CCM_APPRISE_CONFIG", raising=False)
    else:
        monkeypatch.setenv("CCM_APPRISE_CONFIG", str(config))
    reset_settings_cache()
    return get_settings()


def _rows(url):
    with session_scope(url) as session:
        return [(r.recipient, r.state, r.failure_kind, r.attempts)
                for r in session.exec(select(Reminder).order_by(Reminder.recipient)).all()]


def test_two_urls_on_a_tag_one_failing_the_working_mailbox_gets_exactly_one_message(
    database_url, smtp_server, tmp_path, monkeypatch
):
    down = free_port()  # nothing listens: the webhook fails every time
    config = tmp_path / "two.yaml"
    config.write_text(
        "version: 1\nurls:\n"
        f'  - "{default_url(smtp_server.port, "dual@example.org")}":\n      - tag: dual\n'
        f'  - "json://127.0.0.1:{down}/hook":\n      - tag: dual\n'
    )
    settings = _use(monkeypatch, config)
    with session_scope(database_url) as session:
        make_obligation(session, state="AFG")
        make_recipient(session, "dual-desk", tag="dual")
    for minute in range(5):
        now = NOW + dt.timedelta(minutes=minute)
        report = run_reminders(as_of=AS_OF, settings=settings, policy=FAST_RETRY, clock=lambda now=now: now)
    assert len(smtp_server.messages) == 1  # not one per retry
    assert _rows(database_url) == [("dual-desk", "failed", "attempts", 5)]
    assert "JSON" in report.dispatch.deliveries[0].error
    with session_scope(database_url) as session:
        [delivery] = session.exec(select(Delivery)).all()
    assert delivery.label == "email to dual@example.org"


def test_when_the_failing_url_recovers_only_it_gets_the_message(
    database_url, smtp_server, tmp_path, monkeypatch
):
    other = free_port()
    config = write_apprise_config(tmp_path / "a.yaml", {"dual": default_url(smtp_server.port, "a@example.org")})
    text = config.read_text() + f'  - "{default_url(other, "b@example.org")}":\n      - tag: dual\n'
    config.write_text(text)
    settings = _use(monkeypatch, config)
    with session_scope(database_url) as session:
        make_obligation(session, state="AFG")
        make_recipient(session, "dual-desk", tag="dual")
    run_reminders(as_of=AS_OF, settings=settings, policy=FAST_RETRY, clock=lambda: NOW)
    assert [m["To"] for m in smtp_server.messages] == ["a@example.org"]
    # b's server comes up (our sink, on b's port): the retry goes to b only.
    from aiosmtpd.controller import Controller

    controller = Controller(smtp_server, hostname="127.0.0.1", port=other)
    controller.start()
    try:
        later = NOW + dt.timedelta(minutes=1)
        run_reminders(as_of=AS_OF, settings=settings, policy=FAST_RETRY, clock=lambda: later)
    finally:
        controller.stop()
    assert [m["To"] for m in smtp_server.messages] == ["a@example.org", "b@example.org"]
    assert _rows(database_url) == [("dual-desk", "sent", "", 2)]


def test_a_config_with_a_typo_refuses_the_run_naming_it_and_once_fixed_everyone_gets_one(
    database_url, smtp_server, tmp_path, monkeypatch
):
    typo = (CASES / "apprise_config_typo.yaml").read_text().replace("2610", str(smtp_server.port))
    fixed = (CASES / "apprise_config_fixed.yaml").read_text().replace("2610", str(smtp_server.port))
    (tmp_path / "typo.yaml").write_text(typo)
    (tmp_path / "fixed.yaml").write_text(fixed)
    with session_scope(database_url) as session:
        make_obligation(session, state="AFG")
        make_recipient(session, "anna", states=["AFG"])
        make_recipient(session, "ben", states=["AFG"])
    settings = _use(monkeypatch, tmp_path / "typo.yaml")
    with pytest.raises(ConfigurationError, match=r"typo\.yaml: Apprise could not load the file: "
                                                 r"Invalid Apprise YAML data specified"):
        run_reminders(as_of=AS_OF, settings=settings, policy=FAST_RETRY, clock=lambda: NOW)
    assert _rows(database_url) == []  # nothing planned, nothing claimed
    settings = _use(monkeypatch, tmp_path / "fixed.yaml")
    for _ in range(2):
        run_reminders(as_of=AS_OF, settings=settings, policy=FAST_RETRY, clock=lambda: NOW)
    assert sorted(m["To"] for m in smtp_server.messages) == ["anna@example.org", "ben@example.org"]


@pytest.mark.parametrize("case", ["c10_apprise_apostrophe_from_name.yaml", "c10_apprise_cyrillic_from_name.yaml"])
def test_a_url_apprise_refuses_is_named_with_apprises_reason(database_url, tmp_path, case):
    from notifications.service import channel_from

    shutil.copy(CASES / case, tmp_path / case)
    with pytest.raises(ConfigurationError) as refused:
        channel_from(get_settings().model_copy(update={"apprise_config": tmp_path / case}))
    message = str(refused.value)
    assert f"{case}: Apprise dropped URL entry #1, item #1: Invalid ~From~ email specified" in message
    assert "nothing was sent" in message


def test_rows_failed_for_want_of_a_url_are_sent_once_the_tag_has_one(
    database_url, smtp_server, tmp_path, monkeypatch
):
    with session_scope(database_url) as session:
        make_obligation(session, state="AFG")
        make_recipient(session, "anna")
        make_recipient(session, "ben")
    only_anna = write_apprise_config(tmp_path / "one.yaml", {"anna": default_url(smtp_server.port, "anna@example.org")})
    settings = _use(monkeypatch, only_anna)
    run_reminders(as_of=AS_OF, settings=settings, policy=FAST_RETRY, clock=lambda: NOW)
    assert _rows(database_url) == [("anna", "sent", "", 1), ("ben", "failed", "no_address", 1)]
    both = write_apprise_config(tmp_path / "two.yaml", {
        "anna": default_url(smtp_server.port, "anna@example.org"),
        "ben": default_url(smtp_server.port, "ben@example.org"),
    })
    settings = _use(monkeypatch, both)
    report = run_reminders(as_of=AS_OF, settings=settings, policy=FAST_RETRY, clock=lambda: NOW)
    assert report.dispatch.requeued == 1
    assert sorted(m["To"] for m in smtp_server.messages) == ["anna@example.org", "ben@example.org"]
    assert _rows(database_url)[1][:2] == ("ben", "sent")


def test_inits_default_recipient_writes_to_the_local_outbox_until_the_config_defines_its_tag(
    database_url, smtp_server, tmp_path, monkeypatch, today_is
):
    runner = CliRunner()
    today_is(dt.date(2026, 3, 2))
    monkeypatch.setenv("CCM_OUTBOX_DIR", str(tmp_path / "outbox"))
    config = write_apprise_config(tmp_path / "a.yaml", {"anna": default_url(smtp_server.port, "anna@example.org")})
    _use(monkeypatch, config)
    assert runner.invoke(app, ["init", "--no-registry"]).exit_code == 0  # adds `isu`
    with session_scope(database_url) as session:
        make_obligation(session, state="AFG")
        make_recipient(session, "anna", states=["AFG"])
    result = runner.invoke(app, ["remind", "--as-of", "2026-03-02"])
    assert result.exit_code == 0, result.output
    assert list((tmp_path / "outbox").glob("*-isu-*.eml"))
    assert [m["To"] for m in smtp_server.messages] == ["anna@example.org"]


def test_recipients_check_names_refused_entries_and_tags_with_no_url(
    database_url, tmp_path, monkeypatch
):
    runner = CliRunner()
    shutil.copy(CASES / "c10_apprise_apostrophe_from_name.yaml", tmp_path / "bad.yaml")
    with session_scope(database_url) as session:
        make_recipient(session, "coord", tag="coord-tr")
    _use(monkeypatch, tmp_path / "bad.yaml")
    result = runner.invoke(app, ["recipients", "check"])
    assert result.exit_code == 1
    assert "Apprise dropped URL entry #1, item #1: Invalid ~From~ email" in result.output
    assert "recipient coord: no Apprise URL is tagged 'coord-tr'" in result.output
    good = write_apprise_config(tmp_path / "good.yaml", {"coord-tr": default_url(2525, "c@example.org")})
    _use(monkeypatch, good)
    result = runner.invoke(app, ["recipients", "check"])
    assert result.exit_code == 0, result.output
    assert "email to c@example.org" in result.output and "No problems" in result.output
