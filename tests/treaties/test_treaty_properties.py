"""Invariants of the rules under every treaty, checked by Hypothesis (as for the CCM)."""

import datetime as dt
import itertools

from hypothesis import given
from hypothesis import strategies as st

from rules.entry_into_force import entry_into_force
from rules.facts import ArticleFacts, RulePolicy, StateFacts
from rules.obligations import state_obligations
from rules.treaties import APMBC, CCM, TREATIES

treaties = st.sampled_from(list(TREATIES.values()))
deposits = st.dates(min_value=dt.date(1997, 12, 3), max_value=dt.date(2090, 12, 31))


@given(treaties, deposits)
def test_entry_into_force_is_a_first_of_month_never_before_the_treaty_and_after_deposit(treaty, deposit):
    eif = entry_into_force(deposit, treaty)
    rule = treaty.entry_into_force
    assert eif.day == 1
    assert eif >= rule.in_force
    if deposit > rule.cutoff_deposit:
        assert (eif.year - deposit.year) * 12 + eif.month - deposit.month == rule.months_after_deposit


@given(st.dates(min_value=dt.date(1998, 9, 17), max_value=dt.date(2090, 12, 31)),
       st.lists(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 1, 1)), max_size=4),
       st.dates(min_value=dt.date(1999, 1, 1), max_value=dt.date(2100, 1, 1)))
def test_apmbc_keys_carry_the_treaty_and_art4_never_has_a_request(deposit, extensions, as_of):
    facts = StateFacts("AFG", deposit_date=deposit,
                       articles=(ArticleFacts(4), ArticleFacts(5, tuple(extensions))))
    found = state_obligations(facts, as_of, RulePolicy(), treaty=APMBC)
    assert all(o.key.startswith("APMBC:AFG:") for o in found)
    assert len({o.key for o in found}) == len(found)
    assert not any(o.kind.startswith("art4_") and "request" in o.kind for o in found)
    clearance = [o for o in found if o.kind == "art5_clearance"]
    if found:
        assert len(clearance) == 1 and clearance[0].due >= clearance[0].original_due


@given(st.dates(min_value=dt.date(2010, 2, 17), max_value=dt.date(2090, 12, 31)),
       st.dates(min_value=dt.date(2010, 1, 1), max_value=dt.date(2100, 1, 1)))
def test_the_ccm_default_and_the_explicit_ccm_agree_key_for_key(deposit, as_of):
    facts = StateFacts("AFG", deposit_date=deposit, articles=(ArticleFacts(3), ArticleFacts(4)))
    default = state_obligations(facts, as_of, RulePolicy())
    explicit = state_obligations(facts, as_of, RulePolicy(), treaty=CCM)
    assert default == explicit
    assert all(o.key.startswith("CCM:AFG:") for o in default)


@given(treaties, deposits, st.dates(min_value=dt.date(1999, 1, 1), max_value=dt.date(2100, 1, 1)))
def test_a_withdrawal_keeps_earlier_obligations_and_drops_later_ones(treaty, deposit, withdrawal):
    articles = tuple(ArticleFacts(a) for a in treaty.articles)
    as_of = dt.date(2101, 1, 1)
    full = state_obligations(StateFacts("EST", deposit_date=deposit, articles=articles), as_of,
                             RulePolicy(), treaty=treaty)
    cut = state_obligations(StateFacts("EST", deposit_date=deposit, articles=articles,
                                       withdrawal_effective=withdrawal), as_of, RulePolicy(),
                            treaty=treaty)
    assert cut == [o for o in full if o.due <= withdrawal]


@given(treaties, deposits)
def test_the_request_deadlines_follow_the_chain_in_order(treaty, deposit):
    articles = tuple(ArticleFacts(a) for a in treaty.articles)
    found = state_obligations(StateFacts("AFG", deposit_date=deposit, articles=articles),
                              dt.date(2100, 1, 1), RulePolicy(), treaty=treaty)
    for article in treaty.deadline_articles:
        requests = [o for o in found if o.kind == article.request_kind]
        assert len(requests) == (1 if article.extendable else 0)
        assert all(a.due <= b.due for a, b in itertools.pairwise(requests))
