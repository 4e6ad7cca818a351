"""The meeting that decides an extension request is known only when the meetings on record
reach the deadline (one opens on or after it); otherwise the request's due date is an
estimate, and the same rule holds for every convention (``rules.articles``)."""

import datetime as dt

from rules.articles import deciding_meeting, extension_request_due
from rules.facts import ArticleFacts, Extension, RulePolicy, StateFacts
from rules.obligations import all_obligations
from rules.treaties import APMBC

D = dt.date
# The CCM's calendar (data/ccm_meetings.csv): 1MSP 2010 ... 12MSP 2024-09-10, 13MSP 2025-09-16.
CCM_CALENDAR = [
    D(2010, 11, 9), D(2011, 9, 12), D(2012, 9, 11), D(2013, 9, 10), D(2014, 9, 2),
    D(2015, 9, 7), D(2016, 9, 5), D(2017, 9, 4), D(2018, 9, 3), D(2019, 9, 2),
    D(2020, 11, 25), D(2021, 9, 20), D(2022, 8, 30), D(2023, 9, 11), D(2024, 9, 10),
    D(2025, 9, 16),
]
FOURTEENTH_MSP = D(2027, 9, 15)  # a meeting recorded with `meetings add`


def due(deadline: dt.date, meetings: list[dt.date]) -> tuple[dt.date, bool]:
    return extension_request_due(deadline, meetings, lead_months=9, assumed_meeting_months=12)


def test_a_calendar_that_ends_before_the_deadline_names_no_deciding_meeting():
    assert deciding_meeting(D(2031, 8, 1), CCM_CALENDAR) is None


def test_a_deadline_inside_the_calendar_is_decided_by_the_last_meeting_before_it():
    assert deciding_meeting(D(2024, 8, 1), CCM_CALENDAR) == D(2023, 9, 11)  # 11MSP
    assert due(D(2024, 8, 1), CCM_CALENDAR) == (D(2022, 12, 11), False)


def test_a_meeting_opening_on_the_deadline_day_reaches_it_but_does_not_decide_it():
    assert deciding_meeting(D(2025, 9, 16), CCM_CALENDAR) == D(2024, 9, 10)  # 12MSP


def test_nigerias_2031_request_is_estimated_a_year_before_its_deadline_not_before_the_13msp():
    assert due(D(2031, 8, 1), CCM_CALENDAR) == (D(2029, 11, 1), True)
    assert due(D(2034, 2, 1), CCM_CALENDAR) == (D(2032, 5, 1), True)  # South Sudan


def test_an_msp_recorded_years_before_a_2030s_deadline_does_not_pull_its_request_forward():
    with_14msp = [*CCM_CALENDAR, FOURTEENTH_MSP]
    assert due(D(2030, 8, 1), with_14msp) == (D(2028, 11, 1), True)  # Afghanistan
    assert due(D(2031, 8, 1), with_14msp) == (D(2029, 11, 1), True)


def test_an_msp_recorded_after_a_deadline_makes_its_deciding_meeting_known():
    # a 2026-06-01 deadline: the 13MSP is the last before it once the 14MSP is on record
    assert due(D(2026, 6, 1), [*CCM_CALENDAR, FOURTEENTH_MSP]) == (D(2024, 12, 16), False)


def test_an_estimate_never_puts_the_meeting_before_the_last_one_on_record_before_the_deadline():
    # 12 months before 2026-06-01 is 2025-06-01, but the 13MSP (2025-09-16) is on record
    # and opens before the deadline: the deciding meeting cannot open earlier than it.
    assert due(D(2026, 6, 1), CCM_CALENDAR) == (D(2024, 12, 16), True)


def test_the_apmbc_uses_the_same_rule_with_its_own_meetings():
    # APMBC calendar: 21MSP 2023-11-20, 5RC 2024-11-25, 22MSP 2025-12-01.
    meetings = [D(2023, 11, 20), D(2024, 11, 25), D(2025, 12, 1)]
    facts = StateFacts(
        iso3="AFG", deposit_date=D(2002, 9, 11),
        articles=(ArticleFacts(article=5, extensions=(
            Extension(until=D(2023, 3, 1), granted_on=D(2012, 12, 7)),
            Extension(until=D(2025, 3, 1), granted_on=D(2022, 11, 25)),
            Extension(until=D(2036, 3, 1), granted_on=D(2025, 12, 5)),
        )),),
    )
    policy = RulePolicy(extension_request_lead_months=9, assumed_meeting_months_before_deadline=12)
    found = {o.period: o for o in all_obligations([facts], D(2026, 11, 30), policy, meetings, APMBC)
             if o.kind == "art5_extension_request"}
    inside = found["2025-03-01"]  # decided by the 5RC, which the calendar reaches beyond
    assert inside.due == D(2024, 2, 25) and "estimated" not in inside.note
    beyond = found["2036-03-01"]
    assert beyond.due == D(2034, 6, 1)
    assert "deciding meeting estimated: the meeting calendar does not reach the deadline yet" in beyond.note
