"""Subscriptions: tokens of at least 128 bits, stored only hashed; revoke and rotate."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlmodel import select

from models.db import session_scope
from models.subscriptions import (
    Subscription,
    SubscriptionRejected,
    create_subscription,
    find_by_token,
    revoke_subscription,
    rotate_subscription,
)
from models.tables import AuditEntry
from tests.calendars.factories import NOW
from tests.factories import make_state


def test_token_has_at_least_128_random_bits_and_only_its_hash_is_stored(database_url):
    with session_scope() as session:
        subscription, token = create_subscription(
            session=session, name="Transparency coordinator", kinds=["art7_initial", "art7_annual"],
            now=NOW,
        )
    assert len(token) * 6 >= 128  # url-safe base64: 6 bits per character
    with session_scope() as session:
        dump = " ".join(
            str(v) for row in session.execute(text("SELECT * FROM subscription")).all() for v in row
        )
        assert token not in dump
        assert find_by_token(session=session, token=token).id == subscription.id
        assert session.exec(select(AuditEntry).where(AuditEntry.action == "subscription.created")).one()


def test_two_subscriptions_never_share_a_token(database_url):
    with session_scope() as session:
        tokens = {create_subscription(session=session, name=f"n{i}", now=NOW)[1] for i in range(20)}
    assert len(tokens) == 20


def test_revoked_and_unknown_tokens_find_nothing(database_url):
    with session_scope() as session:
        subscription, token = create_subscription(session=session, name="Clearance", now=NOW)
    with session_scope() as session:
        revoke_subscription(session=session, ref=str(subscription.id), now=NOW)
    with session_scope() as session:
        assert find_by_token(session=session, token=token) is None
        assert find_by_token(session=session, token="A" * 32) is None
        assert find_by_token(session=session, token="../../etc/passwd") is None


def test_rotation_makes_a_new_token_and_the_old_one_stops_working(database_url):
    with session_scope() as session:
        _, old = create_subscription(session=session, name="Clearance", themes=["clearance"], now=NOW)
    with session_scope() as session:
        _, new = rotate_subscription(session=session, ref="Clearance", now=NOW)
    with session_scope() as session:
        assert find_by_token(session=session, token=old) is None
        found = find_by_token(session=session, token=new)
        assert found is not None and found.themes == "clearance" and found.rotated_at is not None


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"themes": ["transparancy"]}, "unknown theme.*transparancy"),
        ({"kinds": ["art7"]}, "unknown kind.*art7"),
        ({"states": ["XYZ"]}, "unknown State.*XYZ"),
        ({"name": "  "}, "needs a name"),
    ],
)
def test_bad_input_names_what_is_wrong_and_writes_nothing(database_url, values, message):
    with session_scope() as session:
        make_state(session)
    with pytest.raises(SubscriptionRejected, match=message), session_scope() as session:
        create_subscription(session=session, **{"name": "x", "now": NOW, **values})
    with session_scope() as session:
        assert session.exec(select(Subscription)).all() == []


def test_state_filter_accepts_lower_case_iso3_of_the_registry(database_url):
    with session_scope() as session:
        make_state(session)
        session.flush()
        subscription, _ = create_subscription(session=session, name="AFG desk", states=["afg"], now=NOW)
        assert subscription.state_list == ("AFG",)


def test_an_active_name_cannot_be_taken_twice(database_url):
    with session_scope() as session:
        create_subscription(session=session, name="Clearance", now=NOW)
    with pytest.raises(SubscriptionRejected, match="already named"), session_scope() as session:
        create_subscription(session=session, name="Clearance", now=NOW)
