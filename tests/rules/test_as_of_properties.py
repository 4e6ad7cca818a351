"""Properties of "as of a day, the facts of that day" (Hypothesis)."""

import datetime as dt
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from rules.facts import ArticleFacts, Extension, RulePolicy, StateFacts, facts_in_effect
from rules.obligations import state_obligations

D = dt.date
MEETINGS = [D(2015, 9, 7), D(2019, 9, 2), D(2021, 9, 20), D(2025, 9, 16)]
days = st.dates(min_value=D(2008, 12, 3), max_value=D(2032, 12, 31))
maybe_day = st.none() | days


@st.composite
def article_facts(draw, article):  # type: ignore[no-untyped-def]
    steps = draw(st.lists(st.builds(Extension, days, maybe_day), max_size=3))
    completed = draw(maybe_day)
    return ArticleFacts(article, tuple(steps), completed_on=completed,
                        completion_known=completed is not None or draw(st.booleans()),
                        hostilities_ended=draw(maybe_day) if article == 4 else None)


@st.composite
def state_facts(draw):  # type: ignore[no-untyped-def]
    deposit = draw(days)
    reports = draw(st.dictionaries(st.integers(2010, 2031), maybe_day, max_size=6))
    initial = draw(maybe_day)
    return StateFacts(
        "AFG", deposit_date=deposit,
        withdrawal_effective=draw(st.none() | st.dates(min_value=deposit, max_value=D(2035, 1, 1))),
        initial_report_received=initial,
        initial_report_known=initial is not None or draw(st.booleans()),
        annual_reports_received=reports,
        articles=tuple(draw(article_facts(a)) for a in draw(st.sets(st.sampled_from([3, 4])))),
    )


@settings(max_examples=300, deadline=None)
@given(state_facts(), days)
def test_the_answer_as_of_a_day_is_the_answer_from_only_the_facts_in_effect_that_day(facts, day):
    answer = state_obligations(facts, day, RulePolicy(), MEETINGS)
    assert answer == state_obligations(facts_in_effect(facts, day), day, RulePolicy(), MEETINGS)


@settings(max_examples=300, deadline=None)
@given(state_facts(), days, st.data())
def test_a_fact_that_took_effect_after_the_day_asked_about_changes_nothing_on_that_day(
    facts, day, data
):
    later = st.dates(min_value=day + dt.timedelta(days=1), max_value=D(2040, 1, 1))
    before = state_obligations(facts, day, RulePolicy(), MEETINGS)
    kind = data.draw(st.sampled_from(["report", "extension", "completion", "withdrawal"]))
    if kind == "report":
        year = data.draw(st.integers(2010, 2031))
        if year in facts.annual_reports_received:
            return
        added = replace(facts, annual_reports_received={
            **facts.annual_reports_received, year: data.draw(later)})
    elif kind == "withdrawal":
        if facts.withdrawal_effective is not None:
            return
        added = replace(facts, withdrawal_effective=data.draw(later))
    else:
        if not facts.articles:
            return  # "the article applies" has no day: it is not a later fact
        old = data.draw(st.sampled_from(facts.articles))
        article = old.article
        if kind == "extension":
            new = replace(old, extensions=(*old.extensions, Extension(data.draw(days), data.draw(later))))
        else:
            if old.completion_known or old.completed_on is not None:
                return
            new = replace(old, completed_on=data.draw(later), completion_known=True)
        added = replace(facts, articles=(*(a for a in facts.articles if a.article != article), new))
    after = state_obligations(added, day, RulePolicy(), MEETINGS)
    assert sorted(after, key=lambda o: o.key) == sorted(before, key=lambda o: o.key)
