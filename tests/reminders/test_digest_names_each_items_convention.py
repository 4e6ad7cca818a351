"""Reminders across both conventions: a digest as received (default ``mailto://`` URL, read
back with ``email``) names each item's convention, and `remind --treaty ccm|apmbc|all`
(default all) sends one convention's reminders or every one's."""

from __future__ import annotations

import datetime as dt
import re

from sqlmodel import select
from typer.testing import CliRunner

from cli.app import app
from models.db import session_scope
from models.reminders import Reminder
from models.treaty_tables import TreatyParty
from notifications.policy import ReminderPolicy
from notifications.service import run_reminders
from tests.factories import make_state
from tests.reminders.factories import NOW, digest_keys, make_obligation, make_recipient
from tests.reminders.test_messages_as_received import Visible, default_url

AS_OF = dt.date(2026, 3, 2)


def _seed(url: str) -> None:
    with session_scope(url) as session:
        make_state(session, iso3="AFG", name="Afghanistan")
        session.add(TreatyParty(treaty="APMBC", iso3="AFG", name="Afghanistan", deposit_date=dt.date(2002, 9, 11)))
        session.add(TreatyParty(treaty="APMBC", iso3="THA", name="Thailand", deposit_date=dt.date(1998, 11, 27)))
        make_obligation(session, state="AFG")  # CCM 2025 annual report, due 30 April 2026
        make_obligation(session, state="AFG", treaty="APMBC")  # the APMBC's, the same day
        make_obligation(session, state="THA", treaty="APMBC", kind="art5_clearance", period=None,
                        due=dt.date(2026, 2, 1), status="overdue")
        make_recipient(session, "anna")


def _received(url: str, smtp_server, configure, **options):  # type: ignore[no-untyped-def]
    settings = configure({"anna": default_url(smtp_server.port, "anna@example.org")})
    run_reminders(as_of=AS_OF, settings=settings, policy=ReminderPolicy(), clock=lambda: NOW, **options)
    return list(smtp_server.messages)


def _pending(url: str) -> list[str]:
    with session_scope(url) as session:
        return sorted(r.obligation_key for r in session.exec(select(Reminder).where(Reminder.state == "pending")).all())


def test_a_digest_as_received_names_each_items_convention_in_its_heading_and_groups(
    database_url, smtp_server, configure, today_is
):
    today_is(AS_OF)
    _seed(database_url)
    [message] = _received(database_url, smtp_server, configure)
    assert message["Subject"].startswith("CCM and APMBC deadlines: ")
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert text.splitlines()[0].startswith("CCM and APMBC deadlines: ")
    headings = [m.group(1) for line in text.splitlines() if (m := re.fullmatch(r"== (.*) ==", line))]
    assert len(headings) == 3
    assert all(h.startswith(("CCM: ", "APMBC: ")) for h in headings), headings
    assert "CCM: 2025 annual transparency report (Art. 7(2))" in headings
    assert "APMBC: 2025 annual transparency report (Art. 7(2))" in headings
    assert [h for h in headings if "Art. 5" in h and h.startswith("APMBC: ")], headings
    assert "- Thailand: due 1 February 2026, 29 days late" in text  # an APMBC party outside the CCM, by name
    page = Visible()
    page.feed(message.get_body(preferencelist=("html",)).get_content())
    shown = " ".join(" ".join(page.text).split())
    assert "CCM and APMBC deadlines:" in shown
    assert "CCM: 2025 annual transparency report" in shown and "APMBC: 2025 annual transparency report" in shown
    assert sorted(digest_keys(message, database_url)) == [
        "APMBC:AFG:art7_annual:2025", "APMBC:THA:art5_clearance", "CCM:AFG:art7_annual:2025"]


def test_a_digest_of_one_convention_says_which_in_its_subject_and_first_line(database_url, smtp_server, configure):
    _seed(database_url)
    [message] = _received(database_url, smtp_server, configure, treaty="APMBC")
    assert message["Subject"].startswith("APMBC deadlines: ")
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert text.splitlines()[0].startswith("APMBC deadlines: ")
    assert "CCM" not in text.replace("Sent automatically by ccm-tracker", "")
    assert sorted(digest_keys(message, database_url)) == ["APMBC:AFG:art7_annual:2025", "APMBC:THA:art5_clearance"]


def test_remind_treaty_sends_that_conventions_reminders_and_leaves_the_others_for_a_run_that_covers_them(
    database_url, smtp_server, configure, today_is
):
    today_is(AS_OF)
    _seed(database_url)
    settings = configure({"anna": default_url(smtp_server.port, "anna@example.org")})
    runner = CliRunner()
    result = runner.invoke(app, ["remind", "--as-of", AS_OF.isoformat(), "--treaty", "ccm"], terminal_width=200)
    assert result.exit_code == 0, result.output
    [ccm] = smtp_server.messages
    assert digest_keys(ccm, database_url) == ["CCM:AFG:art7_annual:2025"]
    assert _pending(database_url) == []  # the APMBC's were not even planned
    # an APMBC reminder planned by an earlier run stays pending through a CCM-only run
    with session_scope(database_url) as session:
        from notifications.planning import plan_reminders

        plan_reminders(session=session, as_of=AS_OF, policy=ReminderPolicy(), now=NOW)
    assert _pending(database_url) == ["APMBC:AFG:art7_annual:2025", "APMBC:THA:art5_clearance"]
    assert runner.invoke(app, ["remind", "--as-of", AS_OF.isoformat(), "--treaty", "ccm"]).exit_code == 0
    assert len(smtp_server.messages) == 1
    # the default covers every convention
    assert settings.apprise_config is not None
    result = runner.invoke(app, ["remind", "--as-of", AS_OF.isoformat()], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert len(smtp_server.messages) == 2
    assert sorted(digest_keys(smtp_server.messages[1], database_url)) == [
        "APMBC:AFG:art7_annual:2025", "APMBC:THA:art5_clearance"]
    assert _pending(database_url) == []


def test_remind_dry_run_with_treaty_lists_that_conventions_only_and_a_bad_treaty_is_refused(database_url, configure):
    _seed(database_url)
    configure(None)
    runner = CliRunner()
    result = runner.invoke(app, ["remind", "--as-of", AS_OF.isoformat(), "--dry-run", "--treaty", "apmbc"],
                           terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "2 reminder(s) would go out" in result.output and "CCM:AFG" not in result.output
    refused = runner.invoke(app, ["remind", "--treaty", "ottawa"])
    assert refused.exit_code == 2
    assert "--treaty" in refused.output and "apmbc" in refused.output and "Traceback" not in refused.output
