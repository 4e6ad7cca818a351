"""Hand-written factories: each test says the data it needs."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session

from models.tables import ArticleFact, State
from rules.facts import ArticleFacts, StateFacts


def make_state(
    session: Session,
    iso3: str = "AFG",
    name: str = "Afghanistan",
    deposit: dt.date | None = dt.date(2011, 9, 8),
    signature: dt.date | None = dt.date(2008, 12, 3),
    withdrawal: dt.date | None = None,
) -> State:
    state = State(
        iso3=iso3,
        name=name,
        signature_date=signature,
        deposit_date=deposit,
        instrument="ratification" if deposit else None,
        withdrawal_effective_date=withdrawal,
        source="test",
    )
    session.add(state)
    return state


def make_article_fact(session: Session, iso3: str = "AFG", article: int = 4, **values) -> ArticleFact:  # type: ignore[no-untyped-def]
    fact = ArticleFact(iso3=iso3, article=article, source="test", **values)
    session.add(fact)
    return fact


def state_facts(
    iso3: str = "AFG",
    deposit: dt.date | None = dt.date(2011, 9, 8),
    articles: tuple[ArticleFacts, ...] = (),
    **values,  # type: ignore[no-untyped-def]
) -> StateFacts:
    return StateFacts(iso3=iso3, deposit_date=deposit, articles=articles, **values)
