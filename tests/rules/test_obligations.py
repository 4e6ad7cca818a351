"""From facts to obligations: which are generated, when they are met, and their status."""

import datetime as dt

from rules.facts import ArticleFacts, RulePolicy
from rules.obligations import Status, state_obligations
from tests.factories import state_facts

D = dt.date
POLICY = RulePolicy()


def by_key(obligations):
    return {o.key: o for o in obligations}


def test_a_signatory_has_no_obligations():
    assert state_obligations(state_facts(deposit=None), D(2026, 1, 1), POLICY) == []


def test_afghanistan_gets_initial_report_and_one_annual_report_per_year_up_to_the_current_one():
    found = by_key(state_obligations(state_facts(), D(2026, 11, 26), POLICY))
    assert found["CCM:AFG:art7_initial"].due == D(2012, 8, 28)
    annual = sorted(o.period for o in found.values() if o.kind == "art7_annual")
    assert annual == [str(y) for y in range(2012, 2027)]
    assert found["CCM:AFG:art7_annual:2026"].due == D(2027, 4, 30)


def test_a_received_report_meets_its_obligation():
    facts = state_facts(initial_report_received=D(2012, 9, 1), annual_reports_received={2013: None})
    found = by_key(state_obligations(facts, D(2026, 1, 1), POLICY))
    assert found["CCM:AFG:art7_initial"].met_on == D(2012, 9, 1)
    assert found["CCM:AFG:art7_annual:2013"].met
    assert not found["CCM:AFG:art7_annual:2014"].met


def test_extended_clearance_keeps_original_due_and_moves_due():
    facts = state_facts(articles=(ArticleFacts(article=4, extensions=(D(2026, 3, 1),)),))
    clearance = by_key(state_obligations(facts, D(2026, 1, 1), POLICY))["CCM:AFG:art4_clearance"]
    assert (clearance.original_due, clearance.due) == (D(2022, 3, 1), D(2026, 3, 1))


def test_a_granted_extension_meets_the_request_for_the_deadline_it_extended():
    facts = state_facts(articles=(ArticleFacts(article=4, extensions=(D(2026, 3, 1),)),))
    found = by_key(state_obligations(facts, D(2026, 1, 1), POLICY))
    assert found["CCM:AFG:art4_extension_request:2022-03-01"].met
    assert not found["CCM:AFG:art4_extension_request:2026-03-01"].met


def test_completion_before_the_deadline_means_no_extension_request_is_needed():
    facts = state_facts(articles=(ArticleFacts(article=3, completed_on=D(2014, 6, 30)),))
    found = by_key(state_obligations(facts, D(2026, 1, 1), POLICY))
    assert found["CCM:AFG:art3_stockpile"].met
    assert found["CCM:AFG:art3_extension_request:2020-03-01"].met


def test_no_obligation_falls_due_after_a_withdrawal_takes_effect():
    facts = state_facts("LTU", deposit=D(2011, 3, 24), withdrawal_effective=D(2025, 3, 6))
    found = state_obligations(facts, D(2026, 11, 26), POLICY)
    assert found and max(o.due for o in found) <= D(2025, 3, 6)
    assert "CCM:LTU:art7_annual:2023" in by_key(found)  # due 2024-04-30: history stays
    assert "CCM:LTU:art7_annual:2024" not in by_key(found)  # due 2025-04-30: after withdrawal


def test_status_is_open_until_the_due_day_then_overdue():
    initial = by_key(state_obligations(state_facts(), D(2012, 8, 28), POLICY))["CCM:AFG:art7_initial"]
    assert initial.status(D(2012, 8, 28), None) is Status.OPEN
    assert initial.status(D(2012, 8, 29), None) is Status.OVERDUE


def test_unrecorded_obligations_due_before_tracking_began_are_history_not_overdue():
    initial = by_key(state_obligations(state_facts(), D(2026, 1, 1), POLICY))["CCM:AFG:art7_initial"]
    assert initial.status(D(2026, 11, 26), tracking_since=D(2026, 1, 1)) is Status.HISTORY
    assert initial.status(D(2026, 11, 26), tracking_since=D(2012, 1, 1)) is Status.OVERDUE


def test_first_annual_period_setting_skips_the_report_overlapping_the_initial_one():
    facts = state_facts(deposit=D(2011, 3, 15))  # in force 2011-09-01, initial due 2012-02-28
    literal = by_key(state_obligations(facts, D(2013, 1, 1), POLICY))
    later = by_key(state_obligations(facts, D(2013, 1, 1), RulePolicy(first_annual_period="initial_due_year")))
    assert "CCM:AFG:art7_annual:2011" in literal
    assert "CCM:AFG:art7_annual:2011" not in later and "CCM:AFG:art7_annual:2012" in later
