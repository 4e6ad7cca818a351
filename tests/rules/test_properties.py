"""Invariants of the rules, checked by Hypothesis over many dates."""

import datetime as dt
import itertools
import os
import time

from hypothesis import given
from hypothesis import strategies as st

from rules.articles import deadline_chain
from rules.entry_into_force import THIRTIETH_INSTRUMENT, entry_into_force
from rules.facts import ArticleFacts, RulePolicy
from rules.obligations import state_obligations
from tests.factories import state_facts

deposits_after_30th = st.dates(min_value=THIRTIETH_INSTRUMENT + dt.timedelta(days=1), max_value=dt.date(2090, 12, 31))
any_deposit = st.dates(min_value=dt.date(2008, 12, 3), max_value=dt.date(2090, 12, 31))


@given(deposits_after_30th)
def test_entry_into_force_is_the_first_of_a_month_five_to_six_months_after_deposit(deposit):
    eif = entry_into_force(deposit)
    assert eif.day == 1
    months = (eif.year - deposit.year) * 12 + eif.month - deposit.month
    assert months == 6
    assert 5 * 28 <= (eif - deposit).days <= 6 * 31


@given(any_deposit)
def test_entry_into_force_is_never_before_the_convention_itself(deposit):
    assert entry_into_force(deposit) >= dt.date(2010, 8, 1)


@given(st.dates(), st.lists(st.dates(), max_size=6))
def test_an_extension_never_moves_a_deadline_earlier(original, extensions):
    chain = deadline_chain(original, extensions)
    assert chain[0] == original
    assert all(a < b for a, b in itertools.pairwise(chain))
    assert chain[-1] == max([original, *extensions])


@given(any_deposit, st.lists(st.dates(min_value=dt.date(2010, 1, 1)), max_size=3))
def test_granting_one_more_extension_never_makes_any_due_date_earlier(deposit, extensions):
    as_of = dt.date(2100, 1, 1)
    before = {o.key: o.due for o in state_obligations(
        state_facts(deposit=deposit, articles=(ArticleFacts(4, tuple(extensions)),)), as_of, RulePolicy())}
    after = {o.key: o.due for o in state_obligations(
        state_facts(deposit=deposit, articles=(ArticleFacts(4, (*extensions, dt.date(2099, 1, 1))),)), as_of, RulePolicy())}
    assert after["CCM:AFG:art4_clearance"] >= before["CCM:AFG:art4_clearance"]


@given(any_deposit, st.sampled_from(["UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago", "Europe/Zurich", "Asia/Bangkok"]))
def test_obligations_do_not_depend_on_the_machine_timezone(deposit, zone):
    facts = state_facts(deposit=deposit, articles=(ArticleFacts(3), ArticleFacts(4)))
    as_of = dt.date(2060, 6, 1)
    original = os.environ.get("TZ")
    try:
        os.environ["TZ"] = "UTC"
        time.tzset()
        reference = state_obligations(facts, as_of, RulePolicy())
        os.environ["TZ"] = zone
        time.tzset()
        assert state_obligations(facts, as_of, RulePolicy()) == reference
    finally:
        if original is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = original
        time.tzset()
