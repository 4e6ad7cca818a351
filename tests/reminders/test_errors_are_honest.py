"""Errors say what happened: a fault of ours fails the run with its traceback (not retried as
a delivery error), text from outside cannot forge a log line, input with line breaks is refused."""

import datetime as dt
import logging

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from cli.app import app
from models.db import session_scope
from models.reminders import Reminder
from notifications.dispatch import dispatch
from notifications.errors import PermanentDeliveryError
from notifications.planning import plan_reminders
from notifications.policy import ReminderPolicy
from notifications.senders import SENDERS
from notifications.service import channel_from
from tests.reminders.factories import NOW, make_obligation, make_recipient

AS_OF = dt.date(2026, 3, 2)


def _planned(database_url):
    with session_scope(database_url) as session:
        make_obligation(session, state="AFG")
        make_recipient(session, "alice")
        plan_reminders(session=session, as_of=AS_OF, policy=ReminderPolicy(), now=NOW)


def _rows(database_url):
    with session_scope(database_url) as session:
        return [(r.state, r.attempts) for r in session.exec(select(Reminder)).all()]


def test_a_bug_while_sending_fails_the_run_with_its_traceback_and_gives_the_rows_back(
    database_url, configure, caplog
):
    settings = configure(None)
    _planned(database_url)

    def broken(outgoing):
        raise KeyError("a bug of ours")

    with caplog.at_level(logging.ERROR, logger="ccm.reminders"), pytest.raises(KeyError):
        dispatch(url=database_url, as_of=AS_OF, policy=ReminderPolicy(), settings=settings,
                 channel=channel_from(settings), clock=lambda: NOW,
                 senders={**SENDERS, "reminder": broken})
    [record] = [r for r in caplog.records if "unexpected error" in r.getMessage()]
    assert record.exc_info is not None and record.exc_info[0] is KeyError  # the traceback
    assert _rows(database_url) == [("pending", 0)]  # not an attempt, not "failed", not lost


def test_a_reason_with_line_breaks_cannot_forge_a_log_line(database_url, configure, caplog, monkeypatch):
    """A server's answer is text from outside (the one chokepoint faked: the channel's send)."""
    settings = configure(None)
    _planned(database_url)
    channel = channel_from(settings)

    def refused(address, letter, *, recipient, now):
        raise PermanentDeliveryError("550 no\nERROR forged line")

    monkeypatch.setattr(channel, "deliver", refused)
    with caplog.at_level(logging.WARNING, logger="ccm.reminders"):
        dispatch(url=database_url, as_of=AS_OF, policy=ReminderPolicy(), settings=settings,
                 channel=channel, clock=lambda: NOW)
    [line] = [r.getMessage() for r in caplog.records if "not delivered" in r.getMessage()]
    assert "\n" not in line and "550 no\\nERROR forged line" in line


@pytest.mark.parametrize("args", [
    ["recipients", "add", "bad", "--tag", "bad", "--email", "bad@example.org\n"],
    ["recipients", "add", "eve\n", "--tag", "eve"],
    ["recipients", "add", "eve", "--tag", "eve\n"],
])
def test_a_recipient_with_a_trailing_line_break_is_refused(database_url, args):
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2 and "\\n" in result.output  # a value not in its form: usage
    with session_scope(database_url) as session:
        assert session.exec(select(Reminder)).all() == []
