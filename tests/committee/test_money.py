"""Invoices in the database and on the command line: exact francs, follow-ups, letters."""

import datetime as dt
from decimal import Decimal

import pytest
from sqlmodel import select

from models.committee import Invoice
from models.db import session_scope
from models.meetings import meeting_when, schedule_meeting
from models.money import MoneyRejected, issue_invoice, pay_invoice
from models.obligations import compute_obligations
from models.tables import AuditEntry
from settings import get_settings
from tests.committee.conftest import as_json


def obligations(kind, as_of):
    with session_scope() as session:
        found = compute_obligations(session=session, as_of=as_of, settings=get_settings())
    return [o for o in found if o.kind == kind]


def test_a_large_amount_survives_the_database_to_the_centime(states):
    with session_scope() as session:
        issue_invoice(session=session, number="BIG-1", iso3="AFG", kind="isu_contribution",
                      amount="12,345,678.91", issued_on=dt.date(2017, 1, 9), source="ledger",
                      actor="test")
    with session_scope() as session:
        [row] = session.exec(select(Invoice)).all()
    assert row.amount == Decimal("12345678.91")
    assert row.amount_centimes == 1_234_567_891


def test_payment_stops_the_follow_ups_and_is_audited(states):
    with session_scope() as session:
        issue_invoice(session=session, number="ISU-2017-AFG", iso3="afg", kind="isu_contribution",
                      amount="1000", issued_on=dt.date(2017, 1, 9), source="ledger", actor="test")
    assert [o.due for o in obligations("invoice_followup", dt.date(2017, 5, 10))] == [
        dt.date(2017, 3, 9), dt.date(2017, 5, 9), dt.date(2017, 7, 9)]
    with session_scope() as session:
        pay_invoice(session=session, number="ISU-2017-AFG", paid_on=dt.date(2017, 5, 20),
                    source="UNOG statement", actor="test")
    after = obligations("invoice_followup", dt.date(2018, 1, 1))
    assert [(o.due, o.met, o.met_on) for o in after] == [
        (dt.date(2017, 3, 9), True, dt.date(2017, 5, 20)),
        (dt.date(2017, 5, 9), True, dt.date(2017, 5, 20)),
        (dt.date(2017, 7, 9), True, dt.date(2017, 5, 20)),  # pending at payment: closed
    ]
    with session_scope() as session:
        audit = [(a.action, a.subject) for a in session.exec(select(AuditEntry)).all()]
    assert audit == [("invoice.issued", "AFG"), ("invoice.paid", "AFG")]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"iso3": "XXX"}, "XXX is not in the CCM registry"),
        ({"amount": "10.001"}, "is not an amount in CHF"),
        ({"amount": "0.00"}, "must be more than zero"),
        ({"kind": "donation"}, "is not one of"),
        ({"kind": "meeting_costs"}, "needs --meeting"),
        ({"meeting": "9msp", "kind": "meeting_costs"}, "no meeting '9msp'"),
        ({"source": ""}, "--source: say where this fact comes from"),
        ({"source": "  "}, "--source: say where this fact comes from"),
    ],
)
def test_a_bad_invoice_is_refused_and_nothing_is_written(states, values, message):
    invoice = {"number": "N-1", "iso3": "AFG", "kind": "isu_contribution", "amount": "10.00",
               "issued_on": dt.date(2017, 1, 9), "source": "ledger", **values}
    with pytest.raises(MoneyRejected, match=message), session_scope() as session:
        issue_invoice(session=session, actor="test", **invoice)
    with session_scope() as session:
        assert session.exec(select(Invoice)).all() == []
        assert session.exec(select(AuditEntry)).all() == []


@pytest.mark.parametrize("source", [[], ["--source", ""], ["--source", "  "]])
def test_an_invoice_without_a_source_is_refused_naming_source_and_nothing_written(run, states, source):
    result = run("money", "invoice", "add", "N-1", "--state", "AFG", "--amount", "10", *source, code=2)
    [line] = [x for x in result.output.splitlines() if x.strip()]
    assert line.startswith("error: --source: say where this fact comes from"), line
    with session_scope() as session:
        assert session.exec(select(Invoice)).all() == []
        assert session.exec(select(AuditEntry)).all() == []


@pytest.mark.parametrize("source", [[], ["--source", ""], ["--source", "  "]])
def test_a_payment_without_a_source_is_refused_naming_source_and_nothing_written(run, states, source):
    run("money", "invoice", "add", "N-1", "--state", "AFG", "--amount", "10", "--issued", "2017-01-09",
        "--source", "ledger")
    result = run("money", "invoice", "pay", "N-1", "--on", "2017-02-01", *source, code=2)
    [line] = [x for x in result.output.splitlines() if x.strip()]
    assert line.startswith("error: --source: say where this fact comes from"), line
    with session_scope() as session:
        [invoice] = session.exec(select(Invoice)).all()
        assert invoice.paid_on is None
        assert [e.action for e in session.exec(select(AuditEntry)).all()] == ["invoice.issued"]


def test_a_payment_before_the_invoice_was_issued_is_refused(states):
    with session_scope() as session:
        issue_invoice(session=session, number="N-1", iso3="AFG", kind="isu_contribution",
                      amount="10.00", issued_on=dt.date(2017, 1, 9), source="ledger", actor="test")
    with pytest.raises(MoneyRejected, match="is earlier"), session_scope() as session:
        pay_invoice(session=session, number="N-1", paid_on=dt.date(2017, 1, 8), source="bank statement", actor="test")


def test_meeting_funds_are_met_when_every_cost_share_is_paid(states):
    with session_scope() as session:
        when = meeting_when(start="2017-09-04", end="2017-09-06", month=None)
        schedule_meeting(session=session, slug="7msp", title="7MSP", kind="msp", when=when,
                         source="UNOG note", actor="t")
        for number, iso3 in (("UN-7MSP-AFG", "AFG"), ("UN-7MSP-ALB", "ALB")):
            issue_invoice(session=session, number=number, iso3=iso3, kind="meeting_costs",
                          amount="500.00", issued_on=dt.date(2017, 1, 9), meeting="7msp",
                          source="ledger", actor="t")
        pay_invoice(session=session, number="UN-7MSP-AFG", paid_on=dt.date(2017, 3, 1), source="bank statement", actor="t")
    [funds] = obligations("meeting_funds", dt.date(2017, 7, 1))
    assert not funds.met
    with session_scope() as session:
        pay_invoice(session=session, number="UN-7MSP-ALB", paid_on=dt.date(2017, 5, 30), source="bank statement", actor="t")
    [funds] = obligations("meeting_funds", dt.date(2017, 7, 1))
    assert (funds.met, funds.met_on) == (True, dt.date(2017, 5, 30))


def test_shortfall_command_gives_exact_decimal_strings_and_who_owes(run, states):
    for number, state, amount in (("A-1", "AFG", "0.10"), ("A-2", "AFG", "0.20"), ("B-1", "ALB", "1,932.34")):
        run("money", "invoice", "add", number, "--state", state, "--amount", amount,
            "--issued", "2017-01-09", "--source", "ledger")
    run("money", "invoice", "pay", "A-2", "--date", "2017-02-01", "--source", "bank statement")
    report = as_json(run("money", "shortfall", "--as-of", "2017-01-31", "--format", "json"))
    assert report["total"] == "1932.64"
    assert [(r["state"], r["amount_chf"]) for r in report["by_state"]] == [
        ("ALB", "1932.34"), ("AFG", "0.30")]
    later = as_json(run("money", "shortfall", "--as-of", "2017-02-01", "--format", "json"))
    assert later["total"] == "1932.44"


def test_one_joint_letter_lists_every_open_invoice_of_the_state(run, states):
    run("meetings", "add", "7msp", "--title", "7MSP", "--kind", "msp",
        "--start", "2017-09-04", "--end", "2017-09-06", "--source", "UNOG note")
    run("money", "invoice", "add", "ISU-2017-AFG", "--state", "AFG", "--amount", "1000",
        "--source", "ledger")
    run("money", "invoice", "add", "UN-7MSP-AFG", "--state", "AFG", "--amount", "250.50",
        "--kind", "meeting_costs", "--meeting", "7msp", "--issued", "2017-01-09",
        "--source", "ledger")
    run("money", "invoice", "add", "ISU-2017-ALB", "--state", "ALB", "--amount", "99",
        "--issued", "2017-01-09", "--source", "ledger")
    letter = run("money", "letter", "AFG").stdout
    assert letter.count("# Contributions") == 1
    assert "ISU-2017-AFG" in letter and "UN-7MSP-AFG" in letter and "ISU-2017-ALB" not in letter
    assert "meeting costs: 7MSP" in letter
    assert "**Total outstanding: CHF 1,250.50**" in letter


def test_after_payment_no_stored_follow_up_is_left_open(states):
    from models.obligations import sync_obligations
    from models.tables import Obligation as ObligationRow

    def scan(day):
        with session_scope() as session:
            found = compute_obligations(session=session, as_of=day, settings=get_settings())
            sync_obligations(session=session, computed=found, as_of=day, tracking_since=None)

    with session_scope() as session:
        issue_invoice(session=session, number="ISU-2017-AFG", iso3="AFG", kind="isu_contribution",
                      amount="1000", issued_on=dt.date(2017, 1, 9), source="ledger", actor="test")
    scan(dt.date(2017, 3, 10))  # stores F1 (overdue) and F2 (open)
    with session_scope() as session:
        pay_invoice(session=session, number="ISU-2017-AFG", paid_on=dt.date(2017, 4, 20), source="bank statement", actor="t")
    scan(dt.date(2017, 6, 1))
    with session_scope() as session:
        rows = session.exec(select(ObligationRow).where(ObligationRow.kind == "invoice_followup")).all()
    # (follow-ups a refresh computed for later days before the payment are kept, retired)
    rows = [r for r in rows if r.status != "retired"]
    assert sorted((r.period, r.status) for r in rows) == [
        ("ISU-2017-AFG-F1", "met"), ("ISU-2017-AFG-F2", "met")]
