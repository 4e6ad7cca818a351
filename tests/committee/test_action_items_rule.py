import datetime as dt

from rules.action_items import action_item_obligations, output_obligations, overlaps, progress_on
from tests.committee.factories import item, output


def test_afghanistan_is_the_one_state_two_themes_target():
    targets = [
        ("victim_assistance", "AFG"),
        ("national_implementation", "AFG"),
        ("universalization", "KHM"),
        ("universalization", "VNM"),
        ("clearance", "LBN"),
        ("victim_assistance", "AFG"),  # listed twice by one theme: still one theme
    ]
    assert overlaps(targets) == {"AFG": ("national_implementation", "victim_assistance")}


def test_one_theme_targeting_a_state_twice_is_no_overlap():
    assert overlaps([("clearance", "LBN"), ("clearance", "LBN")]) == {}


def test_an_item_with_one_target_state_belongs_to_that_state():
    [obligation] = action_item_obligations([item(targets=("AFG",))])
    assert (obligation.key, obligation.state) == ("CCM:AFG:action_item:va-model-letter", "AFG")


def test_an_item_with_several_or_no_targets_belongs_to_the_committee():
    found = list(action_item_obligations([item("a", targets=("IRL", "CHE")), item("b")]))
    assert [(o.key, o.state) for o in found] == [
        ("CCM:CC:action_item:a", None), ("CCM:CC:action_item:b", None)]


def test_an_undated_item_yields_no_obligation():
    assert list(action_item_obligations([item(due=None)])) == []


def test_done_and_dropped_items_are_closed_and_a_dropped_one_says_so():
    done, dropped = action_item_obligations([
        item("a", status="done", closed_on=dt.date(2017, 1, 20)),
        item("b", status="dropped", closed_on=dt.date(2017, 1, 21)),
    ])
    assert done.met and done.met_on == dt.date(2017, 1, 20)
    assert dropped.met and dropped.note.startswith("dropped: ")


def test_output_counts_progress_and_is_met_on_the_fifth_response():
    days = tuple(dt.date(2017, 3, d) for d in (1, 5, 9, 20, 28, 30))
    assert progress_on(output(days), dt.date(2017, 3, 10)) == 3
    [before] = output_obligations([output(days)], dt.date(2017, 3, 10))
    assert not before.met and before.note.endswith("(3 of 5)")
    [after] = output_obligations([output(days)], dt.date(2017, 4, 1))
    assert after.met and after.met_on == dt.date(2017, 3, 28)
    assert after.key == "CCM:CC:action_item:output-va-output-2"
