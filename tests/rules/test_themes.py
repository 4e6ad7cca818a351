"""Who follows what: one rule for recipients and feed subscriptions."""

import datetime as dt

from notifications.planning import Candidate, plan
from notifications.policy import ReminderPolicy
from notifications.recipients import Audience
from rules.themes import follows, themes_of


def test_no_filter_follows_everything():
    assert follows(themes=(), states=(), kinds=(), kind="art7_annual", state="AFG",
                   obligation_themes=themes_of("art7_annual"))


def test_filters_combine_with_and_across_and_or_within():
    wanted = {"themes": ("transparency",), "states": ("AFG", "PAK"), "kinds": ()}
    annual, clearance = themes_of("art7_annual"), themes_of("art4_clearance")
    assert follows(**wanted, kind="art7_annual", state="PAK", obligation_themes=annual)
    assert not follows(**wanted, kind="art7_annual", state="ALB", obligation_themes=annual)
    assert not follows(**wanted, kind="art4_clearance", state="AFG", obligation_themes=clearance)


def test_an_action_item_belongs_to_the_theme_that_owns_it():
    assert follows(themes=("victim_assistance",), states=(), kinds=(), kind="action_item",
                   state=None, obligation_themes=themes_of("action_item", "victim_assistance"))
    assert not follows(themes=("transparency",), states=(), kinds=(), kind="action_item",
                       state=None, obligation_themes=themes_of("action_item", "victim_assistance"))


def test_a_theme_coordinator_is_reminded_of_their_theme_s_action_items():
    due = dt.date(2017, 6, 30)
    item = Candidate("CCM:CC:action_item:va-output-2", 1, "action_item", None, due, "open",
                     theme="victim_assistance")
    italy = Audience("italy", "italy", frozenset({"victim_assistance"}), frozenset(), frozenset())
    costa_rica = Audience("costa-rica", "cr", frozenset({"transparency"}), frozenset(), frozenset())
    planned = plan([item], [italy, costa_rica], {}, due, ReminderPolicy())
    assert {m.recipient for m in planned} == {"italy"}


def test_a_theme_feed_takes_its_theme_s_action_items_and_no_other_s():
    import datetime as dt

    from calendars.feeds import Selection
    from calendars.model import DeadlineEvent

    item = DeadlineEvent(key="CCM:CC:action_item:va-output-2", version=1, due=dt.date(2017, 6, 30),
                         summary="VA output 2", description="", categories=(),
                         kind="action_item", themes=themes_of("action_item", "victim_assistance"))
    assert Selection("va", themes=("victim_assistance",)).wants_deadline(item)
    assert not Selection("tr", themes=("transparency",)).wants_deadline(item)
