import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rules.money import AmountError, chf, format_chf, parse_chf, shortfall
from tests.committee.factories import invoice

DAY = dt.date(2017, 3, 1)


@pytest.mark.parametrize("text", ["1,932.34", "1'932.34", "1932.34", "CHF 1,932.34", " 1 932.34 "])
def test_amounts_are_read_exactly_in_centimes(text):
    assert parse_chf(text) == 193_234
    assert chf(parse_chf(text)) == Decimal("1932.34")


@pytest.mark.parametrize("text", ["12.345", "-5.00", "1e3", "abc", "", "1,93.34", "nan"])
def test_an_amount_that_is_not_exact_chf_is_refused(text):
    with pytest.raises(AmountError):
        parse_chf(text)


def test_ten_and_twenty_centimes_make_exactly_thirty():
    # 0.1 + 0.2 == 0.30000000000000004 in binary floating point; never here.
    owed = shortfall([invoice("A", amount_centimes=parse_chf("0.10")),
                      invoice("B", amount_centimes=parse_chf("0.20"))], DAY)
    assert owed.total == Decimal("0.30")
    assert str(owed.total) == "0.30"


def test_shortfall_is_the_sum_of_open_invoices_per_state_largest_first():
    invoices = [
        invoice("ISU-AFG", "AFG", parse_chf("1,000.00")),
        invoice("UN-AFG", "AFG", parse_chf("250.50"), kind="meeting_costs"),
        invoice("ISU-ALB", "ALB", parse_chf("1,932.34")),
        invoice("ISU-NZL", "NZL", parse_chf("99.99"), paid_on=dt.date(2017, 2, 1)),  # paid
        invoice("ISU-BIH", "BIH", parse_chf("10.00"), issued_on=dt.date(2017, 4, 1)),  # later
    ]
    owed = shortfall(invoices, DAY)
    assert owed.total == Decimal("3182.84")
    assert format_chf(owed.total_centimes) == "CHF 3,182.84"
    assert owed.by_state == (("ALB", 193_234, ("ISU-ALB",)), ("AFG", 125_050, ("ISU-AFG", "UN-AFG")))


def test_an_invoice_paid_after_as_of_still_counts_on_as_of():
    late = invoice(paid_on=dt.date(2017, 5, 1))
    assert shortfall([late], DAY).total == Decimal("1000.00")
    assert shortfall([late], dt.date(2017, 5, 1)).total == Decimal("0.00")


@given(st.lists(st.decimals(min_value=Decimal("0.01"), max_value=Decimal(1000000), places=2),
                max_size=40))
def test_shortfall_total_equals_the_exact_decimal_sum(amounts):
    invoices = [invoice(f"N{i}", amount_centimes=parse_chf(str(a))) for i, a in enumerate(amounts)]
    assert shortfall(invoices, DAY).total == sum(amounts, Decimal("0.00"))
