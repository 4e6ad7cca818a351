import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rules.meetings import (
    deciding_meeting_dates,
    meeting_funds_due,
    meeting_funds_obligations,
    undated_reason,
)
from tests.committee.factories import meeting_facts


@pytest.mark.parametrize(
    ("opening", "due"),
    [
        (dt.date(2017, 9, 4), dt.date(2017, 6, 6)),  # the 7MSP
        (dt.date(2020, 5, 29), dt.date(2020, 2, 29)),  # lands on a leap day
        (dt.date(2024, 5, 29), dt.date(2024, 2, 29)),  # lands on a leap day
        (dt.date(2021, 5, 30), dt.date(2021, 3, 1)),  # common year: no 29 February to land on
        (dt.date(2016, 3, 1), dt.date(2015, 12, 2)),  # crosses a leap February and a year end
        (dt.date(2017, 1, 1), dt.date(2016, 10, 3)),  # crosses the year end
        (dt.date(2019, 3, 31), dt.date(2018, 12, 31)),  # month end to year end
    ],
)
def test_meeting_funds_are_due_90_days_before_the_meeting_opens(opening, due):
    assert meeting_funds_due(opening) == due


@given(st.dates(min_value=dt.date(2008, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_meeting_funds_due_date_is_always_exactly_90_calendar_days_earlier(opening):
    assert (opening - meeting_funds_due(opening)).days == 90


@pytest.mark.parametrize("kind", ["msp", "review_conference", "intersessional"])
def test_each_un_serviced_meeting_yields_one_committee_obligation(kind):
    [obligation] = meeting_funds_obligations([meeting_facts(kind=kind)])
    assert obligation.key == "CCM:CC:meeting_funds:7msp"
    assert obligation.state is None
    assert obligation.due == dt.date(2017, 6, 6)
    assert not obligation.met


@pytest.mark.parametrize("kind", ["coordination_committee", "workshop", "external"])
def test_meetings_the_un_does_not_service_yield_no_funds_obligation(kind):
    assert list(meeting_funds_obligations([meeting_facts(kind=kind)])) == []


def test_a_cancelled_meetings_funds_obligation_is_closed_not_dropped():
    [obligation] = meeting_funds_obligations([meeting_facts(cancelled=True)])
    assert obligation.met and obligation.met_on is None
    assert obligation.note.startswith("cancelled: ")


def test_a_meeting_known_only_by_month_yields_no_date_and_says_why():
    by_month = meeting_facts(start=None, end=None, precision="month", month="2017-09")
    assert list(meeting_funds_obligations([by_month])) == []
    assert undated_reason(by_month) == "opening day not fixed (only the month 2017-09 is known)"


def test_a_meeting_to_be_decided_yields_no_date_and_says_why():
    tbd = meeting_facts(start=None, end=None, precision="tbd")
    assert list(meeting_funds_obligations([tbd])) == []
    assert undated_reason(tbd) == "dates to be decided"


def test_funds_obligation_is_met_when_the_funds_were_received():
    [obligation] = meeting_funds_obligations([meeting_facts(funds_received_on=dt.date(2017, 5, 2))])
    assert obligation.met and obligation.met_on == dt.date(2017, 5, 2)


def test_only_msps_and_review_conferences_known_to_the_day_decide_extensions():
    meetings = [
        meeting_facts(slug="8msp", start=dt.date(2018, 9, 3)),
        meeting_facts(slug="rc2", kind="review_conference", start=dt.date(2020, 11, 25)),
        meeting_facts(slug="intersessional", kind="intersessional", start=dt.date(2018, 6, 1)),
        meeting_facts(slug="9msp", start=None, end=None, precision="month", month="2019-09"),
        meeting_facts(slug="gone", start=dt.date(2019, 1, 1), cancelled=True),
    ]
    assert deciding_meeting_dates(meetings) == [dt.date(2018, 9, 3), dt.date(2020, 11, 25)]
