import datetime as dt

import pytest

from notifications.policy import Lead, OverdueCadence, ReminderPolicy, current_stage, stages_for
from notifications.policy_file import PolicyFileError, load_policy

POLICY = ReminderPolicy()


def test_annual_report_stages_are_60_30_7_and_0_days_before_on_geneva_working_days():
    # Due Thursday 30 April 2026. 60 days before = Sunday 1 March -> Friday 27 February.
    stages = stages_for("art7_annual", dt.date(2026, 4, 30), POLICY)
    lead = [(s.name, s.nominal, s.send_on) for s in stages[:4]]
    assert lead == [
        ("before:60d", dt.date(2026, 3, 1), dt.date(2026, 2, 27)),
        ("before:30d", dt.date(2026, 3, 31), dt.date(2026, 3, 31)),
        ("before:7d", dt.date(2026, 4, 23), dt.date(2026, 4, 23)),
        ("due", dt.date(2026, 4, 30), dt.date(2026, 4, 30)),
    ]


def test_a_stage_on_a_geneva_holiday_is_sent_the_working_day_before_and_the_legal_date_stays():
    # Jeune genevois: Thursday 10 September 2026. A deadline that day is announced on Wednesday.
    due = dt.date(2026, 9, 10)
    stage = next(s for s in stages_for("art7_annual", due, POLICY) if s.name == "due")
    assert stage.send_on == dt.date(2026, 9, 9)
    assert stage.nominal == due


def test_an_overdue_stage_on_a_holiday_waits_for_the_next_working_day():
    # Due 24 December 2026: one week late = 31 December (Restauration de la Republique),
    # then 1 January, then the weekend: first working day Monday 4 January 2027.
    first = next(s for s in stages_for("art7_annual", dt.date(2026, 12, 24), POLICY) if s.name == "overdue:w1")
    assert first.send_on == dt.date(2027, 1, 4)


def test_stockpile_stages_count_years_and_months_back_from_the_deadline_clamping_month_ends():
    stages = stages_for("art3_stockpile", dt.date(2028, 8, 31), POLICY)
    nominal = [s.nominal for s in stages if s.name.startswith("before:")]
    assert nominal == [
        dt.date(2026, 8, 31), dt.date(2027, 8, 31), dt.date(2028, 2, 29),
        dt.date(2028, 5, 31), dt.date(2028, 7, 31),
    ]


def test_missed_stages_collapse_into_the_latest_one_after_downtime():
    due = dt.date(2026, 4, 30)
    # Offline from February to 24 April: the 60d, 30d and 7d stages have all passed.
    assert current_stage("art7_annual", due, dt.date(2026, 4, 24), POLICY).name == "before:7d"
    assert current_stage("art7_annual", due, dt.date(2026, 2, 26), POLICY) is None


def test_overdue_reminders_are_weekly_for_8_weeks_then_monthly_then_stop_at_the_cap():
    policy = ReminderPolicy(overdue=OverdueCadence(weekly=8, monthly=3))
    due = dt.date(2026, 4, 30)
    names = [s.name for s in stages_for("art7_annual", due, policy) if s.name.startswith("overdue")]
    assert names == [f"overdue:w{i}" for i in range(1, 9)] + ["overdue:m1", "overdue:m2", "overdue:m3"]
    assert current_stage("art7_annual", due, dt.date(2026, 5, 8), policy).name == "overdue:w1"
    last = stages_for("art7_annual", due, policy)[-1]
    assert current_stage("art7_annual", due, last.send_on, policy).name == "overdue:m3"
    assert current_stage("art7_annual", due, last.send_on + dt.timedelta(days=40), policy) is None


def test_a_policy_file_in_toml_overrides_stages_and_cadence(tmp_path):
    path = tmp_path / "policy.toml"
    path.write_text(
        '[stages]\nart7_annual = ["14d", "0d"]\ndefault = ["10d"]\n'
        "[overdue]\nweekly = 2\nmonthly = 0\n[retry]\nbackoff_minutes = [1, 2]\n"
    )
    policy = load_policy(path)
    assert policy.leads_for("art7_annual") == (Lead(14, "d"), Lead(0, "d"))
    assert policy.leads_for("meeting_funds") == (Lead(10, "d"),)
    assert policy.leads_for("art3_stockpile")[0] == Lead(2, "y")  # untouched default
    assert policy.overdue == OverdueCadence(2, 0)
    assert policy.max_attempts == 3


def test_a_policy_file_in_yaml_is_read_the_same_way(tmp_path):
    path = tmp_path / "policy.yaml"
    path.write_text("stages:\n  art7_annual: [30d]\ncalendar:\n  country: CH\n  subdivision: ZH\n")
    policy = load_policy(path)
    assert policy.leads_for("art7_annual") == (Lead(30, "d"),)
    assert policy.holiday_subdivision == "ZH"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[stages]\nart7_annual = ["60 days"]\n', "stages.art7_annual: '60 days' is not a lead time"),
        ("[overdue]\nweekly = -1\n", "overdue.weekly: -1 is not a whole number"),
        ("[reminders]\n", "unknown section(s) ['reminders']"),
        ("[overdue]\nweakly = 3\n", "overdue: unknown key(s) ['weakly']"),
    ],
)
def test_a_bad_policy_file_is_refused_with_the_file_and_key_named(tmp_path, text, message):
    path = tmp_path / "policy.toml"
    path.write_text(text)
    with pytest.raises(PolicyFileError) as error:
        load_policy(path)
    assert str(path) in str(error.value)
    assert message in str(error.value)
