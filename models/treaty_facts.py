"""Read a convention's rows into the plain facts the rules take, and its obligations.

The CCM's facts come from ``models.facts``; any other treaty's from ``models.treaty_tables``,
mapped onto the same ``StateFacts`` so the same rules (``rules.obligations``, given the
``Treaty``) compute them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Sequence

from sqlmodel import Session, select

from models.convention_meetings import (
    ConventionMeeting,
    meeting_in_month,
    meeting_named,
    treaty_calendar,
)
from models.facts import geneva_day, load_state_facts, state_facts
from models.tables import TrackerSetting
from models.tracking import stored_tracking_since
from models.treaty_tables import TreatyArticleFact, TreatyParty, TreatyReportReceived
from rules.dates import end_of_period
from rules.facts import RulePolicy, StateFacts
from rules.obligations import Obligation, all_obligations
from rules.treaties import CCM, TREATIES, Treaty, treaties_named  # noqa: F401  (treaties_named: its former home)


def load_treaty_facts(
    *, session: Session, treaty: Treaty, states: Sequence[str] | None = None
) -> list[StateFacts]:
    """One ``StateFacts`` per State taking part in ``treaty`` (signatories included)."""
    if treaty is CCM:
        return load_state_facts(session=session, states=states)
    code = treaty.code
    parties = select(TreatyParty).where(TreatyParty.treaty == code).order_by(TreatyParty.iso3)
    reports_q = select(TreatyReportReceived).where(TreatyReportReceived.treaty == code)
    articles_q = (
        select(TreatyArticleFact).where(TreatyArticleFact.treaty == code).order_by(TreatyArticleFact.id)
    )
    if states:
        parties = parties.where(TreatyParty.iso3.in_(states))  # type: ignore[attr-defined]
        reports_q = reports_q.where(TreatyReportReceived.iso3.in_(states))  # type: ignore[attr-defined]
        articles_q = articles_q.where(TreatyArticleFact.iso3.in_(states))  # type: ignore[attr-defined]
    reports: dict[str, list] = defaultdict(list)
    for report in session.exec(reports_q).all():
        reports[report.iso3].append(report)
    articles: dict[str, list] = defaultdict(list)
    for fact in session.exec(articles_q).all():
        articles[fact.iso3].append(fact)
    return [
        state_facts(row, reports[row.iso3], articles[row.iso3], granted_on=_step_granted_on, treaty=treaty)
        for row in session.exec(parties).all()
    ]


YEAR = re.compile(r"\b(19|20)\d{2}\b")


def granted_by_end_of(granted_at: str | None, calendar: Sequence[ConventionMeeting] = ()) -> dt.date | None:
    """The day an extension's granting meeting ended: its closing day when ``calendar``
    (``data/apmbc_meetings.csv``) has it ("12MSP (2012)" -> 2012-12-07; "MSP (Dec 2017)" ->
    the one MSP of December 2017); otherwise, as a fallback, the last day of the year the
    text names ("8MSP (2007)" -> 2007-12-31; never earlier than the truth); else None."""
    meeting = meeting_named(granted_at or "", calendar) or meeting_in_month(granted_at or "", calendar)
    if meeting is not None:
        return meeting.closing
    found = YEAR.search(granted_at or "")
    return end_of_period(found.group(0)) if found else None


def granted_on(
    granted_at: str | None, recorded_at: dt.datetime | None, calendar: Sequence[ConventionMeeting] = ()
) -> dt.date | None:
    """The day an extension step of a convention other than the CCM is taken to be in
    effect: the earlier of the day its granting meeting ended (``granted_by_end_of``: the
    closing day from the convention's calendar, else the end of the year it names) and the
    day (Geneva) the step was recorded (it was granted by then); either when only one is
    known; None when neither is (in effect on every day)."""
    days = [d for d in (granted_by_end_of(granted_at, calendar),
                        geneva_day(recorded_at) if recorded_at else None) if d]
    return min(days) if days else None


def _step_granted_on(row: TreatyArticleFact, original: dt.date | None, untils: list[dt.date]) -> dt.date | None:
    return granted_on(row.extension_granted_at, row.recorded_at, treaty_calendar(row.treaty))


def parties(*, session: Session, treaty: Treaty) -> list[TreatyParty]:
    """The rows of ``treaty_party`` for a treaty other than the CCM, by ISO3."""
    query = select(TreatyParty).where(TreatyParty.treaty == treaty.code).order_by(TreatyParty.iso3)
    return list(session.exec(query).all())


def treaty_obligations(
    *,
    session: Session,
    treaty: Treaty,
    as_of: dt.date,
    policy: RulePolicy,
    states: Sequence[str] | None = None,
    decision_meetings: Sequence[dt.date] = (),
) -> list[Obligation]:
    """Every obligation of the States under a treaty other than the CCM on ``as_of``.

    ``decision_meetings`` are the opening days of the treaty's MSPs/RCs on record
    (``models.obligations.decision_meeting_dates``: its calendar, ``data/apmbc_meetings.csv``,
    and its meetings in the database); an extension request whose deadline they do not reach
    yet is estimated and says so (``rules.articles.extension_request_due``, the CCM's rule).
    """
    facts = load_treaty_facts(session=session, treaty=treaty, states=states)
    return all_obligations(facts, as_of, policy, decision_meetings, treaty)


def _tracking_name(treaty: Treaty) -> str:
    return f"tracking_since:{treaty.code}"


def treaty_tracking_since(
    *, session: Session, treaty: Treaty, override: dt.date | None = None
) -> dt.date | None:
    """The tracking-since day of ``treaty``: obligations due before it with no fact recorded
    are history. The CCM's is the tracker's (``models.tracking``; ``CCM_TRACKING_SINCE``
    wins); another treaty's was stored when its facts first loaded, else the CCM's."""
    if treaty is not CCM:
        row = session.get(TrackerSetting, _tracking_name(treaty))
        if row is not None:
            return dt.date.fromisoformat(row.value)
    return override or stored_tracking_since(session=session)


def ensure_treaty_tracking_since(*, session: Session, treaty: Treaty, default: dt.date) -> dt.date:
    """Keep the first tracking-since day stored for ``treaty``; store ``default`` if none."""
    row = session.get(TrackerSetting, _tracking_name(treaty))
    if row is not None:
        return dt.date.fromisoformat(row.value)
    session.add(TrackerSetting(name=_tracking_name(treaty), value=default.isoformat()))
    return default


def tracking_by_treaty(
    *, session: Session, override: dt.date | None = None
) -> dict[str, dt.date | None]:
    """Every treaty's code -> its tracking-since day."""
    return {
        code: treaty_tracking_since(session=session, treaty=t, override=override)
        for code, t in TREATIES.items()
    }


def treaty_registers(*, session: Session, treaty: Treaty | str) -> dict[str, dt.date | None]:
    """The registers of facts kept for a treaty other than the CCM (``models.tracking``'s
    are the CCM's): each register the rules know -> the day from which it is kept under
    ``treaty`` (stored as ``register_kept_since:APMBC:reports``), None while it is not (its
    reports past due with nothing recorded are ``unverified``, not ``overdue``)."""
    from models.tracking import REGISTER_PREFIX
    from rules.obligations import KIND_REGISTER

    code = treaty if isinstance(treaty, str) else treaty.code
    found: dict[str, dt.date | None] = {}
    for name in set(KIND_REGISTER.values()):
        row = session.get(TrackerSetting, f"{REGISTER_PREFIX}{code}:{name}")
        found[name] = dt.date.fromisoformat(row.value) if row else None
    return found


def registers_by_treaty(*, session: Session) -> dict[str, dict[str, dt.date | None]]:
    """Each treaty's code -> its registers of facts (register name -> the day from which it
    is kept, or None): the CCM's from ``models.tracking.registers``, another convention's
    from ``treaty_registers``. Every channel reads these, as the scan stores statuses with
    them, so a row has the same status everywhere."""
    from models.tracking import registers

    return {code: registers(session=session) if t is CCM else treaty_registers(session=session, treaty=t)
            for code, t in TREATIES.items()}


def reports_register_not_imported(*, session: Session) -> list[str]:
    """The codes of the treaties (in ``TREATIES`` order) whose register of reports received
    was never imported: not kept, or kept only from a later day than the treaty's opening
    for signature (``init --tracking-since``, a first ``record report``). For them a report
    past due with nothing recorded is ``unverified``, and one called ``overdue`` may only
    lack a record of receipt (README, "The first run")."""
    from rules.obligations import REPORTS_REGISTER

    kept = registers_by_treaty(session=session)
    return [code for code, treaty in TREATIES.items()
            if (since := kept[code].get(REPORTS_REGISTER)) is None
            or since > treaty.entry_into_force.opened_for_signature]
