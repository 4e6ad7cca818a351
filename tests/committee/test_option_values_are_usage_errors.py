"""A value not in the form its option or argument takes is a usage error (README: exit 2),
refused in one sentence naming the option, and nothing is written: an amount, an invoice
number, a recipient's tag, name or address, a subscription's name."""

import pytest
from sqlmodel import select

from models.committee import Invoice
from models.db import session_scope
from models.reminders import Recipient
from models.subscriptions import Subscription


def error_line(result) -> str:
    [line] = [x for x in result.output.splitlines() if x.strip()]
    return line


def rows(table) -> list:
    with session_scope() as session:
        return list(session.exec(select(table)).all())


@pytest.mark.parametrize(("number", "amount", "expected"), [
    ("I-1", "-100", "error: --amount: '-100' is not an amount in CHF"),
    ("I-1", "abc", "error: --amount: 'abc' is not an amount in CHF"),
    ("I-1", "0", "error: --amount: amount '0' must be more than zero"),
    ("", "100", "error: NUMBER: invoice number '': up to 24 letters"),
])
def test_an_invoice_amount_or_number_not_in_form_is_a_usage_error(run, states, number, amount, expected):
    result = run("money", "invoice", "add", number, "--state", "AFG", f"--amount={amount}",
                 "--source", "ledger", code=2)
    assert error_line(result).startswith(expected)
    assert rows(Invoice) == []


@pytest.mark.parametrize(("args", "expected"), [
    (["anna", "--tag", ""], "error: --tag: '' is not a tag"),
    (["anna", "--tag", "t", "--email", "notanemail"], "error: --email: 'notanemail' is not an email address"),
    (["a b", "--tag", "t"], "error: NAME: 'a b' is not a name"),
])
def test_a_recipient_tag_name_or_address_not_in_form_is_a_usage_error(run, args, expected):
    result = run("recipients", "add", *args, code=2)
    assert error_line(result).startswith(expected)
    assert rows(Recipient) == []


@pytest.mark.parametrize("name", ["", "  "])
def test_a_subscription_without_a_name_is_a_usage_error(run, name):
    result = run("subscribe", name, code=2)
    assert error_line(result) == "error: NAME: a subscription needs a name (who the feed is for)"
    assert rows(Subscription) == []
