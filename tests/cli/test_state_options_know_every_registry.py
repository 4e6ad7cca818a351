"""`subscribe --state` and `recipients add --state` know the States of every convention's
registry, as `deadlines --state` does: an APMBC-only State (Thailand, THA) is taken, and a
near miss is refused naming the option and the code meant, from either registry."""

from __future__ import annotations

from sqlmodel import select

from calendars.feeds import Selection, feed_for
from models.db import session_scope
from models.subscriptions import Subscription
from notifications.recipients import list_recipients
from settings import get_settings
from tests.cli.running import ccm_here


def test_subscribe_takes_an_apmbc_only_state_and_its_feed_holds_its_apmbc_deadlines(database_url, capsys):
    assert ccm_here(capsys, "init", "--tracking-since", "2026-01-01")[0] == 0
    code, _, err = ccm_here(capsys, "subscribe", "Thailand desk", "--state", "THA")
    assert code == 0, err
    with session_scope() as session:
        (subscription,) = session.exec(select(Subscription)).all()
        assert subscription.state_list == ("THA",)
        feed = feed_for(Selection.of(subscription), session=session, settings=get_settings())
    assert b"APMBC:THA:" in feed.data


def test_subscribe_refuses_a_misspelt_apmbc_only_state_naming_the_option_and_the_code_meant(database_url, capsys):
    assert ccm_here(capsys, "init", "--tracking-since", "2026-01-01")[0] == 0
    code, out, err = ccm_here(capsys, "subscribe", "Thailand desk", "--state", "Thailnd")
    assert code == 2 and out == ""
    assert "--state" in err and "did you mean THA?" in err
    with session_scope() as session:
        assert session.exec(select(Subscription)).all() == []


def test_recipients_add_refuses_a_misspelt_apmbc_only_state_naming_the_option_and_the_code_meant(database_url, capsys):
    assert ccm_here(capsys, "init", "--tracking-since", "2026-01-01")[0] == 0
    code, out, err = ccm_here(capsys, "recipients", "add", "tha-desk", "--tag", "tha", "--state", "Thailnd")
    assert code == 2 and out == ""
    assert "--state" in err and "did you mean THA?" in err
    code, _, err = ccm_here(capsys, "recipients", "add", "tha-desk", "--tag", "tha", "--state", "THA")
    assert code == 0, err
    with session_scope() as session:
        assert {r.name: r.states for r in list_recipients(session=session)}["tha-desk"] == "THA"
