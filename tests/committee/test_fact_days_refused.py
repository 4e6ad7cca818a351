"""`--on` is the day a fact took effect: an invoice issued or paid, an action item done or
dropped. As `record` does, a day after today (Geneva) or before the convention opened for
signature is refused in one sentence naming `--on`, and nothing is written."""

import datetime as dt

import pytest
from sqlmodel import select

from clock import today_in_geneva
from models.committee import ActionItem, Invoice
from models.db import session_scope
from models.tables import AuditEntry
from models.validation import fact_day_problems
from rules.treaties import APMBC, CCM

TOMORROW = (today_in_geneva() + dt.timedelta(days=1)).isoformat()


def error_line(result) -> str:
    [line] = [x for x in result.output.splitlines() if x.strip()]
    return line


def audit_actions() -> list[str]:
    with session_scope() as session:
        return [e.action for e in session.exec(select(AuditEntry)).all()]


def test_a_day_after_today_or_before_the_convention_cannot_be_the_day_a_fact_took_effect():
    today = dt.date(2026, 11, 30)
    check = {"field": "--on", "what": "paid", "today": today}
    assert fact_day_problems(today, **check) == []
    assert fact_day_problems(CCM.entry_into_force.opened_for_signature, **check) == []
    [future] = fact_day_problems(dt.date(2027, 1, 1), **check)
    assert future.reason == "paid 2027-01-01 is after today (2026-11-30, Geneva)"
    [early] = fact_day_problems(dt.date(2008, 12, 2), **check)
    assert early.reason == "paid 2008-12-02 is before the Convention opened for signature on 2008-12-03"
    assert fact_day_problems(dt.date(2008, 12, 2), **check, treaty=APMBC) == []


def test_an_invoice_issued_after_today_is_refused_naming_on_and_nothing_written(run, states):
    result = run("money", "invoice", "add", "I-1", "--state", "AFG", "--amount", "100",
                 "--on", TOMORROW, "--source", "ledger", code=1)
    assert error_line(result) == (f"error: --on: invoice I-1 issued {TOMORROW} is after today "
                                  f"({today_in_geneva().isoformat()}, Geneva)")
    with session_scope() as session:
        assert session.exec(select(Invoice)).all() == []
    assert audit_actions() == []


@pytest.mark.parametrize(("treaty", "day", "convention", "opened"), [
    ("ccm", "2008-12-02", "the Convention", "2008-12-03"),
    ("apmbc", "1997-12-02", "the APMBC", "1997-12-03"),
])
def test_an_invoice_issued_before_its_convention_opened_is_refused(run, states, treaty, day, convention, opened):
    result = run("money", "invoice", "add", "I-1", "--state", "AFG", "--amount", "100", "--treaty", treaty,
                 "--on", day, "--source", "ledger", code=1)
    assert error_line(result) == (f"error: --on: invoice I-1 issued {day} is before {convention} "
                                  f"opened for signature on {opened}")
    assert audit_actions() == []


def test_a_payment_after_today_is_refused_naming_on_and_the_invoice_stays_unpaid(run, states):
    run("money", "invoice", "add", "I-1", "--state", "AFG", "--amount", "100", "--on", "2017-01-09",
        "--source", "ledger")
    result = run("money", "invoice", "pay", "I-1", "--on", TOMORROW, "--source", "bank statement", code=1)
    assert error_line(result).startswith(f"error: --on: invoice I-1 paid {TOMORROW} is after today (")
    with session_scope() as session:
        [invoice] = session.exec(select(Invoice)).all()
        assert invoice.paid_on is None
    assert audit_actions() == ["invoice.issued"]


@pytest.fixture
def item(run):
    run("action", "add", "va-letter", "--title", "Write on victim assistance", "--theme", "victim_assistance",
        "--source", "CC minutes")
    return "va-letter"


@pytest.mark.parametrize(("day", "reason"), [
    (TOMORROW, f"va-letter done {TOMORROW} is after today ("),
    ("1990-01-01", "va-letter done 1990-01-01 is before the Convention opened for signature on 2008-12-03"),
])
def test_an_action_item_done_on_an_impossible_day_is_refused_and_stays_open(run, item, day, reason):
    result = run("action", "done", item, "--on", day, code=1)
    assert error_line(result).startswith(f"error: --on: {reason}")
    with session_scope() as session:
        [row] = session.exec(select(ActionItem)).all()
        assert (row.status, row.closed_on) == ("open", None)
    assert audit_actions() == ["action.created"]


def test_an_action_item_dropped_after_today_is_refused_too(run, item):
    result = run("action", "done", item, "--drop", "--on", TOMORROW, code=1)
    assert error_line(result).startswith(f"error: --on: va-letter dropped {TOMORROW} is after today (")
