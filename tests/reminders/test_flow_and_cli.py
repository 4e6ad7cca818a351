import datetime as dt

from sqlmodel import select
from typer.testing import CliRunner

from cli.app import app
from models.db import session_scope
from models.reminders import Recipient, Reminder
from tests.reminders.factories import make_obligation, smtp_url

runner = CliRunner()


def test_the_flow_run_twice_sends_once_and_leaves_a_table_artifact(
    database_url, smtp_server, configure, prefect_harness, today_is
):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    from flows.remind import dispatch_reminders

    today_is(dt.date(2026, 3, 2))
    configure({"alice": smtp_url(smtp_server.port, "alice@example.org")})
    with session_scope(database_url) as session:
        make_obligation(session, state="AFG")
        session.add(Recipient(name="alice", tag="alice", created_at=dt.datetime.now(dt.UTC)))
    first = dispatch_reminders(as_of=dt.date(2026, 3, 2))
    second = dispatch_reminders(as_of=dt.date(2026, 3, 2))
    assert first["sent"] == 1 and second == {**second, "planned": 0, "sent": 0}
    assert len(smtp_server.messages) == 1
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["reminders"]))
        )
    assert artifacts and artifacts[0].type == "table"
    assert any("1 sent, 0 failed" in (a.description or "") for a in artifacts)


def test_recipients_are_added_listed_and_removed_from_the_cli(database_url):
    added = runner.invoke(app, ["recipients", "add", "alice", "--tag", "isu-alice",
                                "--theme", "transparency", "--state", "AFG", "--state", "ALB"])
    assert added.exit_code == 0, added.output
    listed = runner.invoke(app, ["recipients", "list", "--format", "json"])
    assert '"states": "AFG,ALB"' in listed.output and '"tag": "isu-alice"' in listed.output
    assert runner.invoke(app, ["recipients", "remove", "alice"]).exit_code == 0
    assert '"name"' not in runner.invoke(app, ["recipients", "list", "--format", "json"]).output


def test_a_bad_recipient_is_refused_with_the_value_named_and_nothing_added(database_url):
    result = runner.invoke(app, ["recipients", "add", "bob", "--tag", "bob", "--theme", "transparancy"])
    assert result.exit_code == 2  # an unknown value is a usage error
    assert "--theme: unknown value 'transparancy' (did you mean transparency?)" in result.output
    with session_scope(database_url) as session:
        assert session.exec(select(Recipient)).all() == []


def test_remind_dry_run_prints_who_would_get_what_and_writes_nothing(database_url, configure, today_is):
    configure(None)
    today_is(dt.date(2026, 3, 2))
    with session_scope(database_url) as session:
        make_obligation(session, state="AFG")
    runner.invoke(app, ["recipients", "add", "alice", "--tag", "alice"])
    result = runner.invoke(app, ["remind", "--as-of", "2026-03-02", "--dry-run"], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "1 reminder(s) would go out on 2026-03-02" in result.output
    assert "alice" in result.output and "2026-02-27" in result.output  # sent on Friday
    with session_scope(database_url) as session:
        assert session.exec(select(Reminder)).all() == []


def test_remind_then_ack_stops_the_next_stage(database_url, configure, tmp_path, today_is):
    configure(None)
    today_is(dt.date(2026, 3, 2))
    with session_scope(database_url) as session:
        make_obligation(session, state="AFG")
    runner.invoke(app, ["recipients", "add", "alice", "--tag", "alice"])
    sent = runner.invoke(app, ["remind", "--as-of", "2026-03-02"], terminal_width=200)
    assert sent.exit_code == 0, sent.output
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 1
    acked = runner.invoke(app, ["ack", "CCM:AFG:art7_annual:2025", "--recipient", "alice"])
    assert acked.exit_code == 0, acked.output
    today_is(dt.date(2026, 4, 1))
    runner.invoke(app, ["remind", "--as-of", "2026-04-01"])
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 1
    unknown = runner.invoke(app, ["ack", "CCM:AFG:art7_annual:2052"])
    assert unknown.exit_code == 2 and (
        "KEY: unknown value 'CCM:AFG:art7_annual:2052' (did you mean CCM:AFG:art7_annual:2025?)"
        in unknown.output)
