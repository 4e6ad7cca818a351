"""Record one fact (a report received, an extension granted, a completion, an article that
applies), with its audit row. The one writer the CLI, the importer's users and the Prefect
forms share.

Keyword-only data functions ``(*, session, ...)``; the caller commits. Each returns a
``Recorded`` saying whether the fact was added, was already on record (nothing written),
or corrected an earlier value. Each raises ``FactRejected`` (a ``UserError``) with one
sentence, and writes nothing, when the fact cannot be true (``models.validation``), when it
differs from the value on record and is not a correction with a reason, or when the State's
facts changed while it was being recorded (the optimistic check, ``claim_state``).

Every writer takes ``treaty`` (``rules.treaties``; the CCM by default): the CCM's facts go to
its own tables, another convention's (the APMBC's) to the ``treaty_*`` tables
(``models.fact_tables``), checked by the same rules given that treaty's parameters (its
articles, steps and extension limits: the APMBC's Art. 4 has none). A granting meeting is
checked against the treaty's bundled calendar (``meeting_problems``); the APMBC's also by the
year its text names (``year_meeting_problems``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from clock import today_in_geneva
from models.audit import audit
from models.convention_meetings import SILENCE, meeting_in_month, meeting_named, treaty_calendar
from models.fact_tables import FactTables, fact_tables
from models.facts import load_state_facts
from models.refresh import refresh_obligations
from models.tables import ArticleFact, State, recorded_now
from models.tracking import keep_register
from models.validation import (
    FactRejected,
    article_choice_problems,
    completion_problems,
    extension_problems,
    extension_step_refusal,
    meeting_problems,
    refuse,
    report_problems,
    source_problems,
    text_problems,
    year_meeting_problems,
)
from rules.articles import deadline_in_force
from rules.dates import end_of_period
from rules.entry_into_force import entry_into_force
from rules.facts import ArticleFacts
from rules.treaties import CCM, Treaty

__all__ = [
    "FactRejected",
    "Recorded",
    "claim_state",
    "current_deadline",
    "get_party",
    "record_applies",
    "record_completion",
    "record_extension",
    "record_report",
]

Change = Literal["added", "unchanged", "corrected"]
CORRECTION_HINT = "to replace it, record it as a correction with a reason (--correct --reason ...)"


@dataclass(frozen=True)
class Recorded:
    """What a writer did: ``added`` (a new fact), ``unchanged`` (the same value was already
    on record: nothing written) or ``corrected`` (``old`` replaced, audited with the reason)."""

    change: Change
    iso3: str
    fact: Any  # the row written or found: ReportReceived | ArticleFact or a treaty_* row
    old: Any = None

    @property
    def changed(self) -> bool:
        return self.change != "unchanged"


def get_party(*, session: Session, iso3: str, treaty: Treaty = CCM) -> Any:
    """The State ``iso3`` (any case) as a participant in ``treaty`` (``State`` for the CCM,
    ``TreatyParty`` otherwise), refused when unknown or only a signatory."""
    code = iso3.strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", code):
        raise FactRejected(f"{iso3!r} is not an ISO 3166-1 alpha-3 code (three letters, e.g. AFG)", field="iso3")
    state = fact_tables(treaty).party_row(session, code)
    if state is None:
        if treaty is CCM:
            raise FactRejected(f"{code} is not in the registry (see `ccm-tracker states`)", field="iso3")
        raise FactRejected(f"{code} is not a participant in the {treaty.code} in the registry "
                           f"(see `ccm-tracker --treaty {treaty.code.lower()} states`)", field="iso3")
    if state.deposit_date is None:
        under = "" if treaty is CCM else f" under the {treaty.code}"
        raise FactRejected(f"{state.iso3} ({state.name}) is a signatory: it has no obligations{under}", field="iso3")
    return state


def facts_version(*, session: Session, iso3: str, treaty: Treaty = CCM) -> int:
    """The State's ``facts_version`` under ``treaty`` as stored now (not the session's cached copy)."""
    tables = fact_tables(treaty)
    return session.exec(select(tables.party.facts_version).where(tables.party_is(iso3))).one()


def claim_state(*, session: Session, iso3: str, seen: int, treaty: Treaty = CCM) -> None:
    """The optimistic check: move ``iso3``'s facts_version under ``treaty`` from ``seen`` to
    ``seen + 1``.

    A conditional UPDATE (compare-and-set): when another writer changed the State's facts
    after ``seen`` was read, no row matches and the write is refused, never lost. The row
    stays locked until the caller's transaction ends, so writers of one State queue here.
    """
    tables = fact_tables(treaty)
    result = session.execute(
        update(tables.party)
        .where(tables.party_is(iso3), tables.party.facts_version == seen)
        .values(facts_version=seen + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise changed_meanwhile(iso3, treaty)


def changed_meanwhile(iso3: str, treaty: Treaty = CCM) -> FactRejected:
    facts = fact_tables(treaty).facts_command(iso3)
    return FactRejected(
        f"{iso3}'s facts changed while this was being recorded (someone else recorded one); "
        f"nothing was written: see `{facts}` and record it again if still needed",
        field="iso3",
    )


def _flush(session: Session, iso3: str, treaty: Treaty = CCM) -> None:
    """Write now, so that a concurrent insert of the same fact is refused here, in words."""
    try:
        session.flush()
    except IntegrityError:
        raise changed_meanwhile(iso3, treaty) from None


def _art(treaty: Treaty, article: int) -> str:
    """``Art. 4`` (CCM), ``APMBC Art. 5``."""
    return f"Art. {article}" if treaty is CCM else f"{treaty.code} Art. {article}"


def _article_rule(treaty: Treaty, article: int) -> None:
    """Refuse an article the treaty sets no deadline under (CCM 3/4, APMBC 4/5)."""
    refuse(article_choice_problems(article, treaty=treaty))


def _correction(*, correct: bool, reason: str, what: str, on_record: bool) -> None:
    if correct and not reason.strip():
        raise FactRejected(f"a correction of {what} needs a reason (--reason)", field="reason")
    if correct and not on_record:
        raise FactRejected(f"there is no {what} on record to correct: record it without --correct", field="correct")
    refuse(text_problems(reason, field="reason"))


def record_report(
    *,
    session: Session,
    iso3: str,
    period: int | None,
    received_on: dt.date,
    source: str,
    actor: str,
    correct: bool = False,
    reason: str = "",
    today: dt.date | None = None,
    treaty: Treaty = CCM,
) -> Recorded:
    """An Art. 7 report received under ``treaty``: the initial one (``period`` None) or the
    annual one for the calendar year ``period``, received on ``received_on``.

    The same day again is ``unchanged``; another day is refused unless ``correct`` with a
    ``reason`` (the audit row keeps both days). Raises ``FactRejected``.
    """
    tables = fact_tables(treaty)
    state = get_party(session=session, iso3=iso3, treaty=treaty)
    seen = facts_version(session=session, iso3=state.iso3, treaty=treaty)
    today = today or today_in_geneva()
    refuse(
        report_problems(state=state, period=period, received_on=received_on, today=today, treaty=treaty)
        + source_problems(source)
    )
    kind = "initial" if period is None else "annual"
    name = "initial report" if period is None else f"{period} annual report"
    name = name if treaty is CCM else f"{treaty.code} {name}"
    table = tables.report
    existing = session.exec(
        tables.rows(table).where(table.iso3 == state.iso3, table.kind == kind, table.period == (period or 0))
    ).first()
    old = existing.received_on if existing else None
    if existing is not None and old == received_on:
        return Recorded("unchanged", state.iso3, existing, old)
    # a report on record without a known day gets its day: information added, nothing lost
    fills_in = existing is not None and old is None
    _correction(correct=correct, reason=reason, what=f"{state.iso3}'s {name}", on_record=existing is not None)
    if existing is not None and not fills_in and not correct:
        raise FactRejected(
            f"{state.iso3}'s {name} is on record as received {old} (source: {existing.source or '-'}); "
            + CORRECTION_HINT,
            field="received_on",
        )
    claim_state(session=session, iso3=state.iso3, seen=seen, treaty=treaty)
    report = existing or tables.new(table, iso3=state.iso3, kind=kind, period=period or 0)
    report.received_on = received_on
    report.source = source
    report.recorded_at = recorded_now()
    # Recording reports keeps the register from today on (README, "The first run"); each
    # convention keeps its own.
    keep_register(session=session, register=tables.reports_register, since=today)
    session.add(report)
    _flush(session, state.iso3, treaty)
    detail: dict[str, Any] = {"kind": kind, "period": period, "received_on": received_on,
                              **tables.audit_detail()}
    if existing is not None:
        detail.update(old=old, new=received_on, reason=reason)
    audit(
        session=session,
        actor=actor,
        action="report.corrected" if correct else "report.recorded",
        subject=state.iso3,
        detail=detail,
        source=source,
    )
    refresh_obligations(session=session, states=[state.iso3], treaties=[treaty.code])
    return Recorded("corrected" if correct else "added", state.iso3, report, old)


def _article_rows(session: Session, iso3: str, article: int, tables: FactTables | None = None) -> list[Any]:
    tables = tables or fact_tables()
    table = tables.article
    return list(
        session.exec(
            tables.rows(table)
            .where(table.iso3 == iso3, table.article == article)
            .order_by(table.id)
        ).all()
    )


def _meeting_name(text: str | None) -> str:
    return " ".join((text or "").split()).casefold()


def record_extension(
    *,
    session: Session,
    iso3: str,
    article: int,
    until: dt.date,
    meeting: str | None,
    source: str,
    actor: str,
    correct: bool = False,
    reason: str = "",
    today: dt.date | None = None,
    treaty: Treaty = CCM,
) -> Recorded:
    """An extension granted by an MSP/RC: the Art. ``article`` deadline moves to ``until``.

    A new step must be after the deadline in force and within the treaty's step (CCM
    Art. 3(3): 4 years; Art. 4(5): 5; APMBC Art. 5(3): 10). An article with no extension
    mechanism (APMBC Art. 4) is refused naming it. The same ``until`` again is
    ``unchanged``. A meeting that already granted another date, or ``correct`` with a
    ``reason``, replaces that step (the one ``meeting`` names, else the one in force),
    checked against the deadline before it. Raises ``FactRejected``.
    """
    tables = fact_tables(treaty)
    _article_rule(treaty, article)
    if not treaty.article(article).extendable:  # before any other check: the article is the news
        refuse([extension_step_refusal(treaty, article)])
    state = get_party(session=session, iso3=iso3, treaty=treaty)
    seen = facts_version(session=session, iso3=state.iso3, treaty=treaty)
    rows = _article_rows(session, state.iso3, article, tables)
    # the treaty's calendar (a typo such as "21MPS" is refused with the code meant), then,
    # under the APMBC, the year its text names (not after today)
    meeting_checks = meeting_problems(meeting, until=until, field="meeting", treaty=treaty)
    if treaty is not CCM and not meeting_checks:
        meeting_checks = year_meeting_problems(meeting, until=until, field="meeting",
                                               today=today or today_in_geneva())
    refuse(source_problems(source) + text_problems(meeting, field="meeting") + meeting_checks)
    extensions = [r for r in rows if r.extended_deadline]
    same = next((r for r in extensions if r.extended_deadline == until), None)
    if same is not None:
        if not meeting or (same.extension_granted_at
                           and _same_meeting(same.extension_granted_at, meeting, treaty)):
            # the same step again (its meeting not said, or said the same way) changes nothing
            return Recorded("unchanged", state.iso3, same, until)
        return _regrant(
            session=session, state=state, seen=seen, fact=same, article=article, meeting=meeting,  # type: ignore[arg-type]
            source=source, actor=actor, correct=correct, reason=reason, tables=tables,
        )
    named = [r for r in extensions if meeting and _meeting_name(r.extension_granted_at) == _meeting_name(meeting)]
    target = named[-1] if named else (max(extensions, key=lambda r: r.extended_deadline) if correct and extensions else None)  # type: ignore[arg-type, return-value]
    what = f"{state.iso3}'s {_art(treaty, article)} extension" + (f" granted by {meeting}" if named else "")
    _correction(correct=correct, reason=reason, what=what, on_record=target is not None)
    if target is not None and not correct:
        raise FactRejected(
            f"{meeting} is on record as extending {state.iso3}'s {_art(treaty, article)} deadline to "
            f"{target.extended_deadline} (source: {target.source or '-'}); " + CORRECTION_HINT,
            field="until",
        )
    old = target.extended_deadline if target else None
    earlier = [r.extended_deadline for r in extensions if r is not target and (old is None or r.extended_deadline < old)]  # type: ignore[operator]
    ended = max((r.hostilities_ended for r in rows if r.hostilities_ended), default=None)
    in_force = deadline_in_force(  # the one rule: with the Art. 4(1)(b) end of hostilities
        ArticleFacts(article, tuple(d for d in earlier if d), hostilities_ended=ended),
        entry_into_force(state.deposit_date, treaty),  # type: ignore[arg-type]
        treaty,
    )
    refuse(extension_problems(state=state, article=article, until=until, in_force=in_force,
                              on_record=bool(rows), treaty=treaty))
    claim_state(session=session, iso3=state.iso3, seen=seen, treaty=treaty)
    fact = target or tables.new(tables.article, iso3=state.iso3, article=article)
    fact.extended_deadline = until
    fact.extension_granted_at = meeting or fact.extension_granted_at
    fact.source = source
    fact.recorded_at = recorded_now()
    session.add(fact)
    _flush(session, state.iso3, treaty)
    detail: dict[str, Any] = {"article": article, "from": in_force, "until": until, "meeting": meeting,
                              **tables.audit_detail()}
    if target is not None:
        detail.update(old=old, new=until, reason=reason)
    audit(
        session=session,
        actor=actor,
        action="extension.corrected" if target is not None else "extension.recorded",
        subject=state.iso3,
        detail=detail,
        source=source,
    )
    refresh_obligations(session=session, states=[state.iso3], treaties=[treaty.code])
    return Recorded("corrected" if target is not None else "added", state.iso3, fact, old)


def _same_meeting(on_record: str, meeting: str, treaty: Treaty = CCM) -> bool:
    """"9MSP (2019)" and "9MSP" are one meeting (each convention's calendar says which; the
    APMBC's also by month, "MSP (Dec 2017)"); texts the calendar does not resolve compare as
    text."""
    calendar = treaty_calendar(treaty.code)

    def resolved(text: str) -> Any:
        found = meeting_named(text, calendar)
        return found if found is not None or treaty is CCM else meeting_in_month(text, calendar)

    known, typed = resolved(on_record), resolved(meeting)
    if known is not None and typed is not None and not SILENCE.search(on_record + meeting):
        return known == typed
    return _meeting_name(on_record) == _meeting_name(meeting)


def _regrant(
    *, session: Session, state: Any, seen: int, fact: Any, article: int, meeting: str,
    source: str, actor: str, correct: bool, reason: str, tables: FactTables,
) -> Recorded:
    """The same new deadline said to come from another meeting: a change of the fact, so a
    correction (``--correct --reason``), audited with the old meeting; a meeting named for a
    step on record without one is information added (audited, no correction needed)."""
    old = fact.extension_granted_at
    what = f"{state.iso3}'s {_art(tables.treaty, article)} extension to {fact.extended_deadline}"
    if old:
        _correction(correct=correct, reason=reason, what=what, on_record=True)
        if not correct:
            raise FactRejected(
                f"{what} is on record as granted by {old} (source: {fact.source or '-'}), not {meeting}; "
                + CORRECTION_HINT,
                field="meeting",
            )
    claim_state(session=session, iso3=state.iso3, seen=seen, treaty=tables.treaty)
    fact.extension_granted_at = meeting
    fact.source = source
    fact.recorded_at = recorded_now()
    session.add(fact)
    _flush(session, state.iso3, tables.treaty)
    detail: dict[str, Any] = {"article": article, "until": fact.extended_deadline, "meeting": meeting, "old": old,
                              "new": meeting, **tables.audit_detail()}
    if old:
        detail["reason"] = reason
    audit(
        session=session, actor=actor, action="extension.corrected" if old else "extension.recorded",
        subject=state.iso3, detail=detail, source=source,
    )
    refresh_obligations(session=session, states=[state.iso3], treaties=[tables.treaty.code])
    return Recorded("corrected" if old else "added", state.iso3, fact, old)


def _completed(row: ArticleFact) -> dt.date | None:
    if row.completed_date:
        return row.completed_date
    return end_of_period(row.completed_period) if row.completed_period else None


def record_completion(
    *,
    session: Session,
    iso3: str,
    article: int,
    completed_on: dt.date,
    source: str,
    actor: str,
    correct: bool = False,
    reason: str = "",
    today: dt.date | None = None,
    treaty: Treaty = CCM,
) -> Recorded:
    """A State declared its stockpiles destroyed (CCM Art. 3, APMBC Art. 4) or its areas
    cleared (CCM Art. 4, APMBC Art. 5).

    Needs a fact on record that the article concerns the State (``record_applies``); the
    day cannot be after today. The same day again is ``unchanged``; another day is refused
    unless ``correct`` with a ``reason``, which replaces the completion in force (the
    latest on record). Raises ``FactRejected``.
    """
    tables = fact_tables(treaty)
    _article_rule(treaty, article)
    state = get_party(session=session, iso3=iso3, treaty=treaty)
    seen = facts_version(session=session, iso3=state.iso3, treaty=treaty)
    rows = _article_rows(session, state.iso3, article, tables)
    refuse(
        completion_problems(
            state=state, article=article, completed_on=completed_on,
            today=today or today_in_geneva(), on_record=bool(rows), treaty=treaty,
        )
        + source_problems(source)
    )
    completions = [r for r in rows if _completed(r)]
    same = [r for r in completions if r.completed_date == completed_on]
    if same:
        return Recorded("unchanged", state.iso3, same[0], completed_on)
    target = max(completions, key=lambda r: _completed(r)) if completions else None  # type: ignore[arg-type, return-value]
    what = f"{state.iso3}'s {_art(treaty, article)} completion"
    _correction(correct=correct, reason=reason, what=what, on_record=target is not None)
    if target is not None and not correct:
        shown = target.completed_date or f"in {target.completed_period}"
        raise FactRejected(
            f"{what} is on record as {shown} (source: {target.source or '-'}); " + CORRECTION_HINT,
            field="completed_on",
        )
    old = (target.completed_date or target.completed_period) if target else None
    claim_state(session=session, iso3=state.iso3, seen=seen, treaty=treaty)
    fact = target or tables.new(tables.article, iso3=state.iso3, article=article)
    fact.completed_date, fact.completed_period, fact.source = completed_on, None, source
    fact.recorded_at = recorded_now()
    session.add(fact)
    _flush(session, state.iso3, treaty)
    detail: dict[str, Any] = {"article": article, "completed_on": completed_on, **tables.audit_detail()}
    if target is not None:
        detail.update(old=old, new=completed_on, reason=reason)
    audit(
        session=session,
        actor=actor,
        action="completion.corrected" if target is not None else "completion.recorded",
        subject=state.iso3,
        detail=detail,
        source=source,
    )
    refresh_obligations(session=session, states=[state.iso3], treaties=[treaty.code])
    return Recorded("corrected" if target is not None else "added", state.iso3, fact, old)


def record_applies(
    *, session: Session, iso3: str, article: int, source: str, actor: str, notes: str = "",
    treaty: Treaty = CCM,
) -> Recorded:
    """The article concerns the State: it held stockpiles (CCM Art. 3, APMBC Art. 4) or had
    contaminated (mined) areas at entry into force (CCM Art. 4, APMBC Art. 5). Its deadline
    follows from the rules; extensions and completions need this fact first. ``unchanged``
    when any Art. ``article`` fact is on record already. Raises ``FactRejected``."""
    tables = fact_tables(treaty)
    _article_rule(treaty, article)
    state = get_party(session=session, iso3=iso3, treaty=treaty)
    seen = facts_version(session=session, iso3=state.iso3, treaty=treaty)
    refuse(source_problems(source) + text_problems(notes, field="notes"))
    rows = _article_rows(session, state.iso3, article, tables)
    if rows:
        return Recorded("unchanged", state.iso3, rows[0])
    claim_state(session=session, iso3=state.iso3, seen=seen, treaty=treaty)
    fact = tables.new(tables.article, iso3=state.iso3, article=article, source=source, notes=notes)
    session.add(fact)
    _flush(session, state.iso3, treaty)
    audit(
        session=session, actor=actor, action="article.applies", subject=state.iso3,
        detail={"article": article, **tables.audit_detail()}, source=source,
    )
    refresh_obligations(session=session, states=[state.iso3], treaties=[treaty.code])
    return Recorded("added", state.iso3, fact)


def current_deadline(*, session: Session, state: State, article: int) -> dt.date:
    """The Art. 3/4 deadline in force for ``state`` now: every recorded extension, and the
    Art. 4(1)(b) end of hostilities (``rules.articles.deadline_in_force``, as the scan)."""
    facts = load_state_facts(session=session, states=[state.iso3])[0]
    found = [a for a in facts.articles if a.article == article]
    return deadline_in_force(
        found[0] if found else ArticleFacts(article),
        entry_into_force(state.deposit_date),  # type: ignore[arg-type]
    )

