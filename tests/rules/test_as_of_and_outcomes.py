"""As of a day, the facts of that day; late is not met; a request made moot is not needed."""

import datetime as dt

from rules.facts import ArticleFacts, Extension, RulePolicy
from rules.obligations import Status, state_obligations
from tests.factories import state_facts

D = dt.date
POLICY = RulePolicy()
# The Convention's MSP/RC openings before 2022 (data/ccm_meetings.csv)
MEETINGS = [D(2010, 11, 9), D(2011, 9, 12), D(2012, 9, 11), D(2013, 9, 10), D(2014, 9, 2),
            D(2015, 9, 7), D(2016, 9, 5), D(2017, 9, 4), D(2018, 9, 3), D(2019, 9, 2),
            D(2020, 11, 25), D(2021, 9, 20)]

# Lebanon: deposit 2010-11-05, in force 2011-05-01, clearance due 2021-05-01, extended to
# 2026-05-01 by the 2RC silence procedure (April 2021: in effect from 2021-04-30).
LEBANON = state_facts(
    "LBN", deposit=D(2010, 11, 5),
    articles=(ArticleFacts(4, (Extension(D(2026, 5, 1), granted_on=D(2021, 4, 30)),)),),
)


def by_key(found):
    return {o.key: o for o in found}


def test_lebanon_clearance_as_of_2017_is_due_2021_with_no_extension():
    found = by_key(state_obligations(LEBANON, D(2017, 2, 1), POLICY, MEETINGS))
    clearance = found["CCM:LBN:art4_clearance"]
    assert (clearance.due, clearance.original_due) == (D(2021, 5, 1), D(2021, 5, 1))
    assert "extended" not in clearance.note
    request = found["CCM:LBN:art4_extension_request:2021-05-01"]
    assert request.status(D(2017, 2, 1), None) is Status.OPEN  # not met in 2017
    assert "CCM:LBN:art4_extension_request:2026-05-01" not in found


def test_lebanon_clearance_today_is_due_2026_after_the_2021_extension():
    found = by_key(state_obligations(LEBANON, D(2026, 11, 29), POLICY, MEETINGS))
    clearance = found["CCM:LBN:art4_clearance"]
    assert (clearance.due, clearance.original_due) == (D(2026, 5, 1), D(2021, 5, 1))
    assert "extended 1 time(s)" in clearance.note
    request = found["CCM:LBN:art4_extension_request:2021-05-01"]
    assert (request.status(D(2026, 11, 29), None), request.met_on) == (Status.MET, D(2021, 4, 30))


def test_an_extension_granted_after_the_deadline_it_extends_is_met_late():
    late = state_facts("LBN", deposit=D(2010, 11, 5), articles=(
        ArticleFacts(4, (Extension(D(2026, 5, 1), granted_on=D(2021, 9, 21)),)),))
    request = by_key(state_obligations(late, D(2026, 1, 1), POLICY))[
        "CCM:LBN:art4_extension_request:2021-05-01"]
    assert (request.status(D(2026, 1, 1), None), request.met_on) == (Status.MET_LATE, D(2021, 9, 21))


def test_austria_destroyed_its_stocks_in_2010_so_its_extension_request_is_not_needed():
    austria = state_facts("AUT", deposit=D(2009, 4, 21),
                          articles=(ArticleFacts(3, completed_on=D(2010, 11, 8)),))
    found = by_key(state_obligations(austria, D(2026, 11, 29), POLICY, MEETINGS))
    assert found["CCM:AUT:art3_stockpile"].status(D(2026, 11, 29), None) is Status.MET
    request = found["CCM:AUT:art3_extension_request:2018-08-01"]
    assert (request.status(D(2026, 11, 29), None), request.met_on) == (
        Status.NOT_NEEDED, D(2010, 11, 8))


def test_a_completion_after_the_deadline_is_met_late_not_met():
    facts = state_facts(articles=(ArticleFacts(4, completed_on=D(2023, 6, 1)),))  # due 2022-03-01
    clearance = by_key(state_obligations(facts, D(2026, 1, 1), POLICY))["CCM:AFG:art4_clearance"]
    assert (clearance.status(D(2026, 1, 1), None), clearance.met_on) == (Status.MET_LATE, D(2023, 6, 1))


def test_a_report_received_after_its_due_day_is_met_late_and_on_time_is_met():
    facts = state_facts(annual_reports_received={2013: D(2014, 4, 30), 2014: D(2015, 5, 1)})
    found = by_key(state_obligations(facts, D(2026, 1, 1), POLICY))
    assert found["CCM:AFG:art7_annual:2013"].status(D(2026, 1, 1), None) is Status.MET
    assert found["CCM:AFG:art7_annual:2014"].status(D(2026, 1, 1), None) is Status.MET_LATE


def test_a_report_received_after_the_day_asked_about_is_not_yet_received_on_that_day():
    facts = state_facts(initial_report_received=D(2013, 1, 10))  # due 2012-08-28
    before = by_key(state_obligations(facts, D(2012, 12, 1), POLICY))["CCM:AFG:art7_initial"]
    assert (before.met, before.status(D(2012, 12, 1), None)) == (False, Status.OVERDUE)


def test_a_state_that_had_not_deposited_on_the_day_asked_about_has_no_obligations_then():
    assert state_obligations(state_facts(deposit=D(2011, 9, 8)), D(2011, 1, 1), POLICY) == []


def test_without_a_kept_register_a_missing_past_due_report_is_unverified_not_overdue():
    [initial] = [o for o in state_obligations(state_facts(), D(2026, 1, 1), POLICY)
                 if o.key == "CCM:AFG:art7_initial"]
    assert initial.status(D(2026, 1, 1), None, {"reports": None}) is Status.UNVERIFIED
    assert initial.status(D(2026, 1, 1), None, {"reports": D(2008, 12, 3)}) is Status.OVERDUE
    # kept only from a later day: reports due before it are still unknown
    assert initial.status(D(2026, 1, 1), None, {"reports": D(2020, 1, 1)}) is Status.UNVERIFIED


def test_the_committees_facts_count_from_their_day_too():
    from rules.action_items import ActionItemFacts, action_item_obligations
    from rules.meetings import MeetingFacts, meeting_funds_obligations

    item = ActionItemFacts("letters", "Send letters", "universalization", D(2017, 3, 1),
                           status="done", closed_on=D(2017, 4, 1))
    [before] = action_item_obligations([item], D(2017, 3, 15))
    [after] = action_item_obligations([item], D(2017, 5, 1))
    assert (before.met, before.status(D(2017, 3, 15), None)) == (False, Status.OVERDUE)
    assert (after.met_on, after.status(D(2017, 5, 1), None)) == (D(2017, 4, 1), Status.MET_LATE)
    meeting = MeetingFacts("7msp", "7MSP", "msp", "day", D(2017, 9, 4), D(2017, 9, 6),
                           funds_received_on=D(2017, 5, 1))
    [funds] = meeting_funds_obligations([meeting], D(2017, 4, 1))
    assert not funds.met  # the money came on 1 May: not known on 1 April
