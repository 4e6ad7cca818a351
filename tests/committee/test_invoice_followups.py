import datetime as dt

from rules.money import followup_due, followup_obligations
from tests.committee.factories import invoice


def test_follow_ups_fall_every_two_months_counted_from_the_issue_date():
    issued = dt.date(2016, 12, 31)
    assert [followup_due(issued, step) for step in (1, 2, 3, 4)] == [
        dt.date(2017, 2, 28),  # end of a short month ...
        dt.date(2017, 4, 30),  # ... does not drag the later ones to the 28th
        dt.date(2017, 6, 30),
        dt.date(2017, 8, 31),
    ]


def test_a_leap_day_issue_date_follows_up_at_the_end_of_april():
    assert followup_due(dt.date(2016, 2, 29), 1) == dt.date(2016, 4, 29)
    assert followup_due(dt.date(2016, 2, 29), 6) == dt.date(2017, 2, 28)


def test_unpaid_invoice_lists_the_steps_due_so_far_and_the_next_one():
    found = list(followup_obligations(invoice(), as_of=dt.date(2017, 6, 1)))
    assert [(o.period, o.due) for o in found] == [
        ("ISU-2017-AFG-F1", dt.date(2017, 3, 9)),
        ("ISU-2017-AFG-F2", dt.date(2017, 5, 9)),
        ("ISU-2017-AFG-F3", dt.date(2017, 7, 9)),
    ]
    assert all(o.state == "AFG" and o.kind == "invoice_followup" and not o.met for o in found)


def test_follow_up_keys_are_stable_as_time_passes():
    early = {o.key: o.due for o in followup_obligations(invoice(), as_of=dt.date(2017, 2, 1))}
    later = {o.key: o.due for o in followup_obligations(invoice(), as_of=dt.date(2017, 9, 1))}
    assert early == {"CCM:AFG:invoice_followup:ISU-2017-AFG-F1": dt.date(2017, 3, 9)}
    assert all(later[key] == due for key, due in early.items())


def test_follow_ups_stop_at_payment_and_the_ones_before_it_are_met_by_it():
    paid = invoice(paid_on=dt.date(2017, 4, 20))
    found = list(followup_obligations(paid, as_of=dt.date(2019, 1, 1)))
    assert [(o.period, o.due, o.met, o.met_on) for o in found] == [
        ("ISU-2017-AFG-F1", dt.date(2017, 3, 9), True, dt.date(2017, 4, 20)),
        # pending on the day of payment: closed (a scan may have stored it as open) ...
        ("ISU-2017-AFG-F2", dt.date(2017, 5, 9), True, dt.date(2017, 4, 20)),
    ]  # ... and nothing after it
    assert found[1].note.endswith("not needed: paid 2017-04-20")


def test_payment_closes_exactly_the_steps_a_scan_could_have_listed_before_it():
    paid_on = dt.date(2017, 4, 20)
    before = {o.key for o in followup_obligations(invoice(), as_of=paid_on - dt.timedelta(days=1))}
    after = {o.key for o in followup_obligations(invoice(paid_on=paid_on), as_of=dt.date(2020, 1, 1))}
    assert after == before


def test_an_invoice_paid_before_its_first_follow_up_closes_that_one_only():
    paid = invoice(paid_on=dt.date(2017, 2, 1))
    found = list(followup_obligations(paid, as_of=dt.date(2018, 1, 1)))
    assert [(o.period, o.met) for o in found] == [("ISU-2017-AFG-F1", True)]


def test_paid_on_the_follow_up_day_needs_no_later_follow_up():
    paid = invoice(paid_on=dt.date(2017, 3, 9))
    found = list(followup_obligations(paid, as_of=dt.date(2018, 1, 1)))
    assert [(o.period, o.met) for o in found] == [("ISU-2017-AFG-F1", True)]


def test_a_payment_after_as_of_is_not_yet_known():
    paid_later = invoice(paid_on=dt.date(2017, 8, 1))
    found = list(followup_obligations(paid_later, as_of=dt.date(2017, 4, 1)))
    assert [(o.period, o.met) for o in found] == [("ISU-2017-AFG-F1", False), ("ISU-2017-AFG-F2", False)]


def test_an_invoice_not_yet_issued_has_no_follow_up():
    assert list(followup_obligations(invoice(), as_of=dt.date(2017, 1, 8))) == []
