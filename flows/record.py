"""The ``record-fact`` flow: the ISU records a report, an extension, a completion or an article
that applies from a form in the Prefect UI (deployment ``record-fact``).

Prefect renders the parameters as a form: a State picker and a fact picker (``Literal``), date
pickers (``datetime.date``), text boxes for the source, the meeting and a correction's reason.
The write goes through the same functions as ``ccm-tracker record`` (``models.registry``:
``record_report``, ``record_extension``, ``record_completion``, ``record_applies``), so it is
refused by exactly the same validation (``models.validation``). A refused fact ends the run
**Failed** with that sentence, naming the form field at fault, and writes nothing (the
session rolls back). A recorded fact is announced like the CLI's (``ccm.fact.recorded`` on
``ccm.state.<ISO3>``), so the State's rescan follows within seconds.

The State picker lists the States of the bundled registries (``data/ccm_participants.csv``
and ``data/apmbc/apmbc_participants.csv``), read when the flow is imported, so when
``prefect deploy`` builds the form: redeploy after those files change. A State picked that
the database does not hold under the chosen convention is refused by name.

``treaty`` (``CCM`` or ``APMBC``) says which convention the fact is under, as
``ccm-tracker record --treaty``: the APMBC's articles are 4 (stockpile destruction, no
extension) and 5 (clearance).
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Annotated, Literal

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact
from prefect.runtime import flow_run
from pydantic import Field

from clock import today_in_geneva
from flows.preflight import database_problem, failed
from settings import get_settings

DATA = Path(__file__).resolve().parents[1] / "data"
PARTICIPANTS = (DATA / "ccm_participants.csv", DATA / "apmbc" / "apmbc_participants.csv")
FactKind = Literal["initial report", "annual report", "extension", "completion", "applies"]
# The form's field for each data field a refusal can name (FactRejected.field).
FORM_FIELDS = {
    "received_on": "on", "completed_on": "on", "until": "until", "reason": "reason",
    "correct": "correct", "article": "article", "source": "source", "meeting": "meeting",
    "report": "year", "notes": "notes", "iso3": "state",
}


def _state_choices() -> tuple[str, ...]:
    """``"AFG Afghanistan"`` for every State of the bundled registries (either convention),
    by code; a State both files name is listed once, with the CCM's spelling."""
    names: dict[str, str] = {}
    for path in PARTICIPANTS:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                code = row["iso3"].strip().upper()
                if code:
                    names.setdefault(code, row["state"].strip())
    return tuple(f"{code} {names[code]}" for code in sorted(names))


STATE_CHOICES = _state_choices()
StateChoice = Literal[STATE_CHOICES]  # type: ignore[valid-type]


def record_run_name() -> str:
    """``record AFG initial report``."""
    parameters = flow_run.parameters or {}
    return f"record {str(parameters.get('state', ''))[:3]} {parameters.get('fact', '')}".strip()


@flow(name="record-fact", flow_run_name=record_run_name, log_prints=False, retries=0)
def record_fact(
    state: StateChoice,
    fact: FactKind,
    source: str = "",
    on: dt.date | None = None,
    year: Annotated[int | None, Field(ge=2010, le=2100)] = None,
    article: Literal[3, 4, 5] | None = None,
    until: dt.date | None = None,
    meeting: str | None = None,
    notes: str = "",
    correct: bool = False,
    reason: str = "",
    recorded_by: str = "",
    treaty: Literal["CCM", "APMBC"] = "CCM",
) -> str:
    """Record one fact for a State, as ``ccm-tracker record`` does.

    Args:
        state: The State (ISO3 code and name).
        fact: What happened: an initial or annual Art. 7 report received, an Art. 3/4
            extension granted, an Art. 3/4 completion, or an article that applies.
        source: Where this fact comes from.
        on: The day a report was received or the work completed (default: today in Geneva).
        year: The calendar year an annual report covers.
        article: For an extension, a completion or an article that applies: CCM 3 or 4;
            APMBC 4 (stockpile destruction, no extension) or 5 (clearance).
        until: The new deadline an extension grants.
        meeting: The meeting that granted an extension.
        notes: For an article that applies: what the source says.
        correct: Replace a different value on record (needs a reason).
        reason: Why the value on record was wrong.
        recorded_by: Who records it (the audit log's actor; default ``prefect-ui``).
        treaty: The convention the fact is under (CCM or APMBC).

    Returns the line the CLI prints (``recorded: AFG initial report received 2026-11-30``);
    ends Failed with the refusal's sentence, having written nothing.
    """
    from models.db import session_scope
    from models.refresh import written_revision
    from models.validation import FactRejected

    iso3 = state[:3]
    problem = database_problem(get_settings().database_url)
    if problem:
        return failed(f"nothing was recorded: {problem}")
    try:
        write, summary = _writer(iso3, fact, source=source, on=on, year=year, article=article,
                                 until=until, meeting=meeting, notes=notes, correct=correct,
                                 reason=reason, actor=recorded_by.strip() or "prefect-ui",
                                 treaty=treaty)
        if not source.strip():  # as `ccm-tracker record`: a fact without a source is not kept
            raise FactRejected("say where this fact comes from (a document, a URL, a letter); "
                               "a fact without a source is not kept", field="source")
        with session_scope() as session:
            recorded = write(session)
            revision = written_revision(session)
    except FactRejected as rejected:
        field = FORM_FIELDS.get(rejected.field or "")
        text = str(rejected).replace("(--correct --reason ...)", "(tick 'correct' and give a 'reason')")
        return failed(f"nothing was recorded: {field}: {text}" if field
                      else f"nothing was recorded: {text}")
    if recorded.change == "unchanged":
        line = f"already on record: {recorded.iso3} {summary} (nothing changed)"
    elif recorded.change == "corrected":
        line = f"corrected: {recorded.iso3} {summary} (was {recorded.old}; reason: {reason})"
    else:
        line = f"recorded: {recorded.iso3} {summary}"
    logger = get_run_logger()
    logger.info(line)
    if recorded.changed:
        from flows.events import announce_fact, state_resource

        delivery = announce_fact(resource=state_resource(recorded.iso3), what=summary,
                                 payload={"iso3": recorded.iso3}, revision=revision)
        logger.info("event %s", "delivered: ccm.fact.recorded" if delivery.delivered
                    else f"not delivered: {delivery.reason}")
    create_markdown_artifact(markdown=f"{line}\n", key="ccm-record-fact",
                             description=f"The last fact recorded from the form ({recorded.iso3})")
    return line


def _writer(iso3: str, fact: str, *, source: str, on: dt.date | None, year: int | None,
            article: int | None, until: dt.date | None, meeting: str | None, notes: str,
            correct: bool, reason: str, actor: str, treaty: str = "CCM"):  # type: ignore[no-untyped-def]
    """The registry function to call for ``fact`` and the summary line; the checks the CLI
    makes before calling it (which report, which article, an extension's date), as
    ``FactRejected`` naming the form's field."""
    from models.registry import record_applies, record_completion, record_extension, record_report
    from models.validation import (
        FactRejected,
        article_choice_problems,
        extension_step_refusal,
        refuse,
    )
    from rules.treaties import CCM, treaty_named

    chosen = treaty_named(treaty)
    under = "" if chosen is CCM else f"{chosen.code} "
    common = {"iso3": iso3, "source": source, "actor": actor, "treaty": chosen}
    if fact in ("initial report", "annual report"):
        if (fact == "annual report") != (year is not None):
            raise FactRejected("give the year for an annual report, and no year for the initial one",
                               field="report")
        day = on or today_in_geneva()
        name = "initial report" if year is None else f"{year} annual report"
        return (lambda s: record_report(session=s, period=year, received_on=day, correct=correct,
                                        reason=reason, **common),
                f"{under}{name} received {day.isoformat()}")
    if article is None:
        which = " or ".join(str(a) for a in chosen.articles)
        raise FactRejected(f"say which article the {fact} is about: {which}", field="article")
    refuse(article_choice_problems(article, treaty=chosen))
    if fact == "extension" and not chosen.article(article).extendable:
        refuse([extension_step_refusal(chosen, article)])
    if fact == "extension":
        if until is None:
            raise FactRejected("give the new deadline the extension grants", field="until")
        return (lambda s: record_extension(session=s, article=article, until=until,
                                           meeting=meeting, correct=correct, reason=reason,
                                           **common),
                f"{under}Art. {article} deadline extended to {until.isoformat()}")
    if fact == "completion":
        if on is None:
            raise FactRejected("give the day the work was completed", field="completed_on")
        return (lambda s: record_completion(session=s, article=article, completed_on=on,
                                            correct=correct, reason=reason, **common),
                f"{under}Art. {article} completed {on.isoformat()}")
    return (lambda s: record_applies(session=s, article=article, notes=notes, **common),
            f"{under}Art. {article} applies")
