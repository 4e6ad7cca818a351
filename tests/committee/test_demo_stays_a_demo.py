"""`demo load` keeps the demo out of real facts: its own database by default, no reminder to
a configured Apprise recipient from a demo database, no event for a State outside the registry."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func
from sqlmodel import Session, select
from typer.testing import CliRunner

import cli.demo
from cli.app import app
from models.committee import Invoice, Meeting
from models.db import get_engine, session_scope
from models.demo import is_demo_database
from settings import reset_settings_cache
from tests.reminders.factories import make_obligation

runner = CliRunner()


def ccm(*args: str, code: int = 0):  # type: ignore[no-untyped-def]
    result = runner.invoke(app, list(args), env={"COLUMNS": "250"})
    assert result.exit_code == code, result.output
    return result


def count(url: str, table) -> int:  # type: ignore[no-untyped-def]
    with Session(get_engine(url)) as session:
        return session.exec(select(func.count()).select_from(table)).one()


def test_demo_load_on_a_real_registry_goes_to_its_own_database_beside_it(database_url, tmp_path):
    ccm("init")
    result = ccm("demo", "load")
    if database_url.startswith("sqlite"):
        demo_file = Path(database_url.removeprefix("sqlite:///")).parent / "ccm-demo.db"
    else:
        demo_file = tmp_path / "ccm-demo.db"  # a server database: the working directory
    demo_url = f"sqlite:///{demo_file}"
    assert f"export CCM_DATABASE_URL={demo_url}" in result.output
    assert count(database_url, Meeting) == 0 and count(database_url, Invoice) == 0
    assert count(demo_url, Meeting) == 9 and count(demo_url, Invoice) == 3
    with Session(get_engine(demo_url)) as session:
        assert is_demo_database(session=session)
    assert "events: none announced (a demo database)" in result.output


def test_demo_load_into_real_leaves_out_the_illustrative_invoices_and_announces_only_registry_states(
    database_url, monkeypatch
):
    announced: list[tuple[str, str, dict]] = []
    monkeypatch.setattr(cli.demo, "announce_many", lambda facts, **_: announced.extend(facts))
    ccm("init")
    result = ccm("demo", "load", "--into-real")
    assert "3 left out (illustrative)" in result.output
    assert count(database_url, Invoice) == 0 and count(database_url, Meeting) == 9
    states = {resource.removeprefix("ccm.state.") for resource, _, _ in announced if resource.startswith("ccm.state.")}
    registry = {s["iso3"] for s in json.loads(ccm("states", "--format", "json").stdout)}
    assert states and states <= registry
    # the minutes target non-signatories for universalization: none of them is announced
    assert not states & {"BRN", "KHM", "VNM", "DZA", "SDN", "SSD"} - registry


def test_a_demo_database_sends_reminders_only_to_the_local_outbox(database_url, smtp_server, tmp_path, monkeypatch):
    config = tmp_path / "apprise.yml"
    config.write_text(
        "urls:\n"
        f'  - "mailto://{smtp_server.host}:{smtp_server.port}?from=isu@example.org&to=real@example.org":\n'
        "      - tag: finance\n"
    )
    monkeypatch.setenv("CCM_APPRISE_CONFIG", str(config))
    monkeypatch.setenv("CCM_OUTBOX_DIR", str(tmp_path / "outbox"))
    reset_settings_cache()
    ccm("demo", "load")  # an empty database: it becomes the demo's own
    with session_scope(database_url) as session:
        # the load refreshed the demo's obligations; keep one reminder due, as a scan would
        from sqlmodel import delete

        from models.tables import Obligation

        session.exec(delete(Obligation))
        make_obligation(session, state="AFG")
    ccm("recipients", "add", "finance", "--tag", "finance")
    ccm("remind", "--as-of", "2026-03-02")
    assert smtp_server.messages == []  # the configured recipient got nothing
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 1  # the local outbox got it


def test_demo_load_with_no_database_yet_says_so_rather_than_that_it_holds_real_facts(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CCM_DATABASE_URL", f"sqlite:///{tmp_path / 'ccm-tracker.db'}")
    reset_settings_cache()
    try:
        result = ccm("demo", "load")
    finally:
        reset_settings_cache()
    assert "does not exist yet (`ccm-tracker init` makes it) and was not created" in result.output
    assert "holds real facts" not in result.output
    assert not (tmp_path / "ccm-tracker.db").exists()
    assert count(f"sqlite:///{tmp_path / 'ccm-demo.db'}", Meeting) == 9
