"""A feed's title (NAME, X-WR-CALNAME) and description name the conventions it holds: the
default feeds hold the APMBC's obligations and meetings as well as the CCM's."""

from __future__ import annotations

import datetime as dt

from icalendar import Calendar

from calendars.feeds import Selection, build_feed, default_selections
from calendars.server import ALL
from settings import Settings

NOW = dt.datetime(2026, 11, 30, tzinfo=dt.UTC)


def test_the_all_feed_is_titled_by_both_conventions_in_its_calendar_name():
    feeds = dict(default_selections())
    assert feeds["all"].name == "CCM and APMBC: all deadlines and meetings"
    assert ALL.name == feeds["all"].name  # what /healthz renders
    rendered = build_feed(feeds["all"], deadlines=(), meetings=(), now=NOW, settings=Settings())
    calendar = Calendar.from_ical(rendered.data)
    assert str(calendar["X-WR-CALNAME"]) == "CCM and APMBC: all deadlines and meetings"
    assert str(calendar["NAME"]) == "CCM and APMBC: all deadlines and meetings"
    assert "Anti-Personnel Mine Ban Convention" in str(calendar["X-WR-CALDESC"])


def test_each_theme_feed_is_titled_by_both_conventions_since_it_holds_both_conventions_meetings():
    names = {stem: s.name for stem, s in default_selections()}
    assert names["theme-clearance"] == "CCM and APMBC: clearance"
    assert names["theme-national_implementation"] == "CCM and APMBC: national implementation"
    assert all(name.startswith("CCM and APMBC: ") for name in names.values())


def test_a_selection_of_apmbc_kinds_only_is_described_as_the_apmbcs():
    only_apmbc = Selection(name="Art. 5 desk", kinds=("art5_clearance", "art5_extension_request"))
    assert only_apmbc.describe().startswith("Anti-Personnel Mine Ban Convention deadlines")
    only_ccm = Selection(name="Art. 4 desk", kinds=("art4_clearance",))
    assert only_ccm.describe().startswith("Convention on Cluster Munitions deadlines")
    # a CCM-only theme, without meetings: the CCM's alone
    assert Selection(name="ni", themes=("national_implementation",), kinds=("art7_annual",)).describe() \
        .startswith("Convention on Cluster Munitions deadlines")
