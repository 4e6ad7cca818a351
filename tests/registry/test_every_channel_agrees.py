"""A recorded fact is in every channel at once, without a scan: the `deadlines` answer (rules
over the facts), the reminder plan's candidates and the feed's events agree, on SQLite and
PostgreSQL."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from calendars.sources import load_deadlines
from clock import today_in_geneva
from models import revision
from models.db import session_scope
from models.obligations import compute_obligations
from models.refresh import refresh_obligations
from models.registry import record_completion, record_extension, record_report
from models.tables import Obligation
from models.tracking import keep_register, registers, tracking_since
from notifications.planning import load_candidates
from settings import get_settings
from tests.factories import make_article_fact, make_state

TODAY = today_in_geneva()


def _setup() -> None:
    with session_scope() as session:
        make_state(session)  # Afghanistan: in force 2012-03-01
        session.flush()
        make_article_fact(session, article=4)  # clearance due 2022-03-01
        keep_register(session=session, register="reports", since=dt.date(2008, 12, 3))
        refresh_obligations(session=session, states=["AFG"])


def _channels() -> tuple[dict[str, str], dict[str, str], dict[str, str], dict[str, dt.date]]:
    settings_ = get_settings()
    with session_scope() as session:
        since = tracking_since(session=session, override=settings_.tracking_since)
        kept = registers(session=session)
        rules = {o.key: o.status(TODAY, since, kept).value
                 for o in compute_obligations(session=session, as_of=TODAY, settings=settings_)}
        plan = {c.key: c.status for c in load_candidates(session=session, as_of=TODAY)}
        feed = {e.key: e.status for e in load_deadlines(session=session, settings=settings_)}
        dues = {row.key: row.due for row in session.exec(select(Obligation)).all()}
    return rules, plan, feed, dues


def _agree() -> None:
    rules, plan, feed, dues = _channels()
    stored = {k: v for k, v in plan.items() if v != "retired"}
    assert stored == rules  # every obligation the rules give, with the same status
    assert all(feed[k] == s for k, s in rules.items() if s not in ("history", "retired"))
    with session_scope() as session:
        fresh = {o.key: o.due for o in compute_obligations(
            session=session, as_of=TODAY, settings=get_settings())}
    assert {k: d for k, d in dues.items() if k in fresh} == fresh


facts = st.lists(
    st.one_of(
        st.tuples(st.just("report"), st.integers(2012, TODAY.year - 1),
                  st.dates(min_value=dt.date(2013, 1, 1), max_value=TODAY)),
        st.tuples(st.just("extension"), st.sampled_from([dt.date(2026, 3, 1), dt.date(2027, 3, 1)]),
                  st.sampled_from(["9MSP (2019)", "2RC Part 2 (Sept 2021)", "13MSP"])),
        st.tuples(st.just("completion"), st.just(4),
                  st.dates(min_value=dt.date(2013, 1, 1), max_value=TODAY)),
    ),
    min_size=1, max_size=3,
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(facts)
def test_recording_facts_and_reading_the_reminder_plan_and_the_feed_agree_without_a_scan(
    database_url, recorded
):
    with session_scope() as session:  # a fresh registry for each example
        for table in ("reminder", "obligation", "audit_entry", "report_received", "article_fact",
                      "state", "tracker_setting"):
            session.exec(__import__("sqlalchemy").text(f"DELETE FROM {table}"))
    _setup()
    with session_scope() as session:
        start = revision.current(session)
    written: list[str] = []
    for kind, first, second in recorded:
        try:
            with session_scope() as session:
                if kind == "report":
                    if first < 2012 or second.year <= first:
                        continue
                    done = record_report(session=session, iso3="AFG", period=first, received_on=second,
                                  source="t", actor="t")
                elif kind == "extension":
                    done = record_extension(session=session, iso3="AFG", article=4, until=first,
                                     meeting=second, source="t", actor="t")
                else:
                    done = record_completion(session=session, iso3="AFG", article=first, completed_on=second,
                                      source="t", actor="t")
        except ValueError:
            continue  # a refused fact writes nothing (models.validation)
        if done.change != "unchanged":  # the same fact again writes nothing
            written.append(kind)
        _agree()
    with session_scope() as session:
        assert revision.current(session) >= start + len(written)  # each write bumps it
    _agree()
    SEEN.extend(written)


SEEN: list[str] = []


def test_the_property_above_recorded_facts_of_every_kind():
    """Guards the property against refusing everything (run after it, same module)."""
    assert {"report", "extension", "completion"} <= set(SEEN)


def test_a_refresh_of_the_committees_rows_leaves_a_states_deadlines_in_the_feed(database_url):
    from models.money import issue_invoice

    _setup()
    with session_scope() as session:
        before = {e.key for e in load_deadlines(session=session, settings=get_settings())}
        issue_invoice(session=session, number="ISU-2026-AFG", iso3="AFG", kind="isu_contribution",
                      amount="1000", issued_on=TODAY, source="ISU ledger",
                      actor="test")  # refreshes the Committee's rows
    with session_scope() as session:
        after = {e.key for e in load_deadlines(session=session, settings=get_settings())}
    assert "CCM:AFG:art4_clearance" in before
    assert before <= after  # nothing of AFG's own dropped; the follow-up added
