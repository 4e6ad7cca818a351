"""Worked examples from public sources (UN Treaty Collection, Monitor, Mine Action Review)."""

import datetime as dt

from rules.articles import (
    clearance_due,
    deadline_chain,
    extension_request_due,
    extension_too_long,
    stockpile_destruction_due,
)
from rules.entry_into_force import entry_into_force
from rules.reports import annual_report_due, first_annual_period, initial_report_due

D = dt.date


def test_afghanistan_deposit_enters_into_force_on_first_day_of_sixth_month():
    assert entry_into_force(D(2011, 9, 8)) == D(2012, 3, 1)


def test_initial_report_is_due_180_days_after_entry_into_force():
    assert initial_report_due(D(2012, 3, 1)) == D(2012, 8, 28)


def test_afghanistan_clearance_is_due_ten_years_after_entry_into_force():
    assert clearance_due(entry_into_force(D(2011, 9, 8))) == D(2022, 3, 1)


def test_albania_deposited_before_the_thirtieth_instrument_so_is_bound_from_1_august_2010():
    eif = entry_into_force(D(2009, 6, 16))
    assert eif == D(2010, 8, 1)
    assert initial_report_due(eif) == D(2011, 1, 28)


def test_the_thirtieth_instrument_itself_counts_for_the_convention_entry_into_force():
    assert entry_into_force(D(2010, 2, 16)) == D(2010, 8, 1)
    assert entry_into_force(D(2010, 2, 17)) == D(2010, 8, 1)  # February + 6 months
    assert entry_into_force(D(2010, 3, 1)) == D(2010, 9, 1)


def test_germany_clearance_deadline_extended_at_the_9msp_to_2025():
    original = clearance_due(entry_into_force(D(2009, 7, 8)))
    assert original == D(2020, 8, 1)
    assert deadline_chain(original, [D(2025, 8, 1)])[-1] == D(2025, 8, 1)


def test_belize_deposit_in_september_binds_it_from_march_with_report_due_28_august():
    eif = entry_into_force(D(2014, 9, 2))
    assert eif == D(2015, 3, 1)
    assert initial_report_due(eif) == D(2015, 8, 28)  # as the Monitor's profile says


def test_stockpile_destruction_is_due_eight_years_after_entry_into_force():
    assert stockpile_destruction_due(D(2011, 12, 1)) == D(2019, 12, 1)  # Botswana, per Monitor


def test_annual_report_for_2019_is_due_30_april_2020():
    assert annual_report_due(2019) == D(2020, 4, 30)


def test_first_annual_report_covers_year_of_entry_into_force_by_default():
    assert first_annual_period(D(2011, 9, 1), "eif_year") == 2011
    assert first_annual_period(D(2011, 9, 1), "initial_due_year") == 2012  # initial due 2012-02-28


def test_clearance_of_areas_contaminated_after_entry_into_force_runs_from_end_of_hostilities():
    assert clearance_due(D(2010, 8, 1), hostilities_ended=D(2015, 6, 30)) == D(2025, 6, 30)


def test_an_extension_to_an_earlier_date_changes_nothing():
    assert deadline_chain(D(2021, 3, 1), [D(2020, 1, 1)]) == [D(2021, 3, 1)]


def test_disagreeing_extension_sources_keep_both_steps_and_the_later_rules():
    chain = deadline_chain(D(2021, 3, 1), [D(2023, 9, 1), D(2022, 9, 1)])
    assert chain == [D(2021, 3, 1), D(2022, 9, 1), D(2023, 9, 1)]


def test_article_3_extensions_are_at_most_four_years_and_article_4_at_most_five():
    assert not extension_too_long(3, D(2019, 10, 1), D(2023, 10, 1))
    assert extension_too_long(3, D(2019, 10, 1), D(2023, 10, 2))
    assert not extension_too_long(4, D(2020, 8, 1), D(2025, 8, 1))
    assert extension_too_long(4, D(2020, 8, 1), D(2025, 8, 2))


def test_extension_request_is_due_nine_months_before_the_meeting_that_decides_it():
    due, estimated = extension_request_due(
        D(2020, 8, 1), [D(2018, 9, 3), D(2019, 9, 2), D(2020, 11, 25)],
        lead_months=9, assumed_meeting_months=12,
    )
    assert (due, estimated) == (D(2018, 12, 2), False)  # 9MSP opened 2019-09-02


def test_extension_request_without_a_known_meeting_is_an_estimate():
    due, estimated = extension_request_due(
        D(2022, 3, 1), [], lead_months=9, assumed_meeting_months=12
    )
    assert (due, estimated) == (D(2020, 6, 1), True)


def test_an_extension_step_must_move_the_deadline_later_and_within_the_treaty_maximum():
    from rules.articles import extension_step_problem

    assert extension_step_problem(4, D(2022, 3, 1), D(2026, 3, 1)) is None
    assert "is not after" in extension_step_problem(4, D(2022, 3, 1), D(2022, 3, 1))
    assert "at most 5 years" in extension_step_problem(4, D(2022, 3, 1), D(2027, 3, 2))
