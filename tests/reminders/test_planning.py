import datetime as dt

from sqlmodel import select

from models.db import session_scope
from models.obligations import compute_obligations, sync_obligations
from models.reminders import Reminder
from models.tables import Obligation
from notifications.planning import plan_reminders
from notifications.policy import ReminderPolicy
from notifications.service import acknowledge
from settings import get_settings
from tests.factories import make_article_fact, make_state
from tests.reminders.factories import NOW, make_obligation, make_recipient

POLICY = ReminderPolicy()
AS_OF = dt.date(2026, 3, 2)


def _rows(url):
    with session_scope(url) as session:
        return session.exec(select(Reminder).order_by(Reminder.recipient, Reminder.obligation_key)).all()


def test_planning_from_scanned_obligations_reaches_only_recipients_who_follow_them(database_url):
    with session_scope(database_url) as session:
        make_state(session, "AFG", "Afghanistan", deposit=dt.date(2011, 9, 8))
        make_state(session, "ALB", "Albania", deposit=dt.date(2009, 6, 16))
        session.flush()
        make_article_fact(session, "ALB", article=4)
    with session_scope(database_url) as session:
        computed = compute_obligations(session=session, as_of=AS_OF, settings=get_settings())
        sync_obligations(session=session, computed=computed, as_of=AS_OF, tracking_since=dt.date(2026, 1, 1))
        make_recipient(session, "transparency", themes=["transparency"])
        make_recipient(session, "afg-desk", states=["AFG"])
        make_recipient(session, "clearance", kinds=["art4_clearance"])
    with session_scope(database_url) as session:
        result = plan_reminders(session=session, as_of=AS_OF, policy=POLICY, now=NOW)
    planned = {(r.recipient, r.obligation_key, r.stage) for r in _rows(database_url)}
    # The 2025 annual reports are due 30 April 2026: the 60-day stage (Sunday 1 March, sent
    # Friday 27 February) is current. Older reports fell due before tracking began: history.
    assert planned == {
        ("afg-desk", "CCM:AFG:art7_annual:2025", "before:60d"),
        ("transparency", "CCM:AFG:art7_annual:2025", "before:60d"),
        ("transparency", "CCM:ALB:art7_annual:2025", "before:60d"),
    }
    assert result.new_rows == 3
    assert {r.send_on for r in _rows(database_url)} == {dt.date(2026, 2, 27)}


def test_planning_twice_adds_nothing(database_url):
    with session_scope(database_url) as session:
        make_obligation(session)
        make_recipient(session, "alice")
    for expected in (1, 0):
        with session_scope(database_url) as session:
            assert plan_reminders(session=session, as_of=AS_OF, policy=POLICY, now=NOW).new_rows == expected
    assert len(_rows(database_url)) == 1


def test_an_acknowledged_obligation_gets_no_more_reminders_for_that_recipient(database_url):
    with session_scope(database_url) as session:
        make_obligation(session)
        make_recipient(session, "alice")
        make_recipient(session, "bob")
    with session_scope(database_url) as session:
        plan_reminders(session=session, as_of=AS_OF, policy=POLICY, now=NOW)
    with session_scope(database_url) as session:
        cancelled = acknowledge(session=session, key="CCM:AFG:art7_annual:2025", recipient="alice",
                                actor="test", now=NOW)
    assert cancelled == 1
    later = dt.date(2026, 4, 1)  # the 30-day stage
    with session_scope(database_url) as session:
        plan_reminders(session=session, as_of=later, policy=POLICY, now=NOW, today=later)
    states = {(r.recipient, r.stage): r.state for r in _rows(database_url)}
    assert states == {
        ("alice", "before:60d"): "cancelled",
        ("bob", "before:60d"): "pending",
        ("bob", "before:30d"): "pending",
    }


def test_a_moved_due_date_supersedes_pending_reminders_and_plans_the_new_version(database_url):
    with session_scope(database_url) as session:
        make_obligation(session, kind="art4_clearance", period=None, due=dt.date(2026, 6, 1))
        make_recipient(session, "alice")
    with session_scope(database_url) as session:
        plan_reminders(session=session, as_of=AS_OF, policy=POLICY, now=NOW)
    with session_scope(database_url) as session:  # an extension granted: due moves, version 2
        row = session.get(Obligation, "CCM:AFG:art4_clearance")
        row.due, row.version = dt.date(2031, 6, 1), 2
        session.add(row)
    with session_scope(database_url) as session:
        plan_reminders(session=session, as_of=AS_OF, policy=POLICY, now=NOW)
    rows = [(r.version, r.stage, r.state, r.last_error) for r in _rows(database_url)]
    # Version 1 (due 1 June 2026) was at its 3-month stage; version 2 is five years away.
    assert rows == [(1, "before:3m", "cancelled", "superseded: the due date moved (new version)")]


def test_met_and_history_obligations_are_not_planned(database_url):
    with session_scope(database_url) as session:
        make_obligation(session, state="AFG", status="met")
        make_obligation(session, state="ALB", status="history", due=dt.date(2025, 4, 30))
        make_obligation(session, state="AUT", status="overdue", due=dt.date(2026, 2, 20))
        make_recipient(session, "alice")
    with session_scope(database_url) as session:
        plan_reminders(session=session, as_of=AS_OF, policy=POLICY, now=NOW)
    assert [(r.obligation_key, r.stage) for r in _rows(database_url)] == [
        ("CCM:AUT:art7_annual:2025", "overdue:w1")
    ]
