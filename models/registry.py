"""Record one fact (a report received, an extension granted, a completion), with its audit row.

Keyword-only data functions ``(*, session, ...)``; the caller commits. Each raises
``FactRejected`` with a sentence a person can act on, and writes nothing, when the fact
cannot be true.
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, select

from errors import UserError
from models.audit import audit
from models.facts import load_state_facts
from models.tables import ArticleFact, ReportReceived, State
from rules.articles import deadline_chain, extension_step_problem, original_deadline
from rules.entry_into_force import entry_into_force


class FactRejected(UserError, ValueError):
    """The fact contradicts the registry; nothing was written."""


def get_party(*, session: Session, iso3: str) -> State:
    state = session.get(State, iso3.upper())
    if state is None:
        raise FactRejected(f"{iso3.upper()} is not in the registry (see `ccm-tracker states`)")
    if state.deposit_date is None:
        raise FactRejected(f"{state.iso3} ({state.name}) is a signatory: it has no obligations")
    return state


def record_report(
    *,
    session: Session,
    iso3: str,
    period: int | None,
    received_on: dt.date,
    source: str,
    actor: str,
) -> ReportReceived:
    """An Art. 7 report received: the initial one (``period`` None) or the annual one."""
    state = get_party(session=session, iso3=iso3)
    kind = "initial" if period is None else "annual"
    eif = entry_into_force(state.deposit_date)  # type: ignore[arg-type]
    if period is not None and period < eif.year:
        raise FactRejected(f"{state.iso3} was not bound by the Convention in {period}")
    existing = session.exec(
        select(ReportReceived).where(
            ReportReceived.iso3 == state.iso3,
            ReportReceived.kind == kind,
            ReportReceived.period == (period or 0),
        )
    ).first()
    report = existing or ReportReceived(iso3=state.iso3, kind=kind, period=period or 0)
    report.received_on = received_on
    report.source = source
    session.add(report)
    audit(
        session=session,
        actor=actor,
        action="report.recorded",
        subject=state.iso3,
        detail={"kind": kind, "period": period, "received_on": received_on, "replaced": bool(existing)},
        source=source,
    )
    return report


def record_extension(
    *,
    session: Session,
    iso3: str,
    article: int,
    until: dt.date,
    meeting: str | None,
    source: str,
    actor: str,
) -> ArticleFact:
    """An extension granted by an MSP/RC: the deadline moves to ``until`` (never earlier)."""
    state = get_party(session=session, iso3=iso3)
    current = current_deadline(session=session, state=state, article=article)
    problem = extension_step_problem(article, current, until)
    if problem:
        raise FactRejected(f"{state.iso3} Art. {article} extension: {problem}")
    fact = ArticleFact(
        iso3=state.iso3,
        article=article,
        extended_deadline=until,
        extension_granted_at=meeting,
        source=source,
    )
    session.add(fact)
    audit(
        session=session,
        actor=actor,
        action="extension.recorded",
        subject=state.iso3,
        detail={"article": article, "from": current, "until": until, "meeting": meeting},
        source=source,
    )
    return fact


def record_completion(
    *,
    session: Session,
    iso3: str,
    article: int,
    completed_on: dt.date,
    source: str,
    actor: str,
) -> ArticleFact:
    """A State declared its stockpiles destroyed (Art. 3) or its areas cleared (Art. 4)."""
    state = get_party(session=session, iso3=iso3)
    fact = ArticleFact(iso3=state.iso3, article=article, completed_date=completed_on, source=source)
    session.add(fact)
    audit(
        session=session,
        actor=actor,
        action="completion.recorded",
        subject=state.iso3,
        detail={"article": article, "completed_on": completed_on},
        source=source,
    )
    return fact


def current_deadline(*, session: Session, state: State, article: int) -> dt.date:
    """The Art. 3/4 deadline in force for ``state`` now (after every recorded extension)."""
    facts = load_state_facts(session=session, states=[state.iso3])[0]
    extensions = [d for a in facts.articles if a.article == article for d in a.extensions]
    original = original_deadline(article, entry_into_force(state.deposit_date))  # type: ignore[arg-type]
    return deadline_chain(original, extensions)[-1]
