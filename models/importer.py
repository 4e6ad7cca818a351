"""The validating importer: a CSV of facts goes in whole, or not at all.

Three kinds of file, told apart by their header (every column of the kind is required):

- participants: ``state,iso3,signature_date,deposit_date,instrument,provisional_application_date,withdrawal_effective_date,source,notes``
- Art. 3/4 facts: ``state,iso3,article,extended_deadline,extension_granted_at,completed_date,completed_period,source,notes``
- reports received: ``iso3,report,received_on,source`` (``report`` is ``initial`` or a year)

Which convention (``rules.treaties``) a file's facts are under: a ``treaty`` column when the
file has one (``ccm`` or ``apmbc``, any case, the same on every row); otherwise the file
name: ``apmbc_*.csv`` is APMBC, any other name the CCM (the ``treaty`` argument, from
``import --treaty``, must agree with either). CCM facts go to ``state``, ``article_fact``
and ``report_received``; another treaty's to ``treaty_party``, ``treaty_article_fact`` and
``treaty_report_received`` (``models.treaty_tables``). The article column takes the
treaty's deadline articles (CCM 3 or 4; APMBC 4 or 5).

The file is read as CSV (``models.csv_input``); every bad row is reported as
``file:line: field: reason`` and when there is any, nothing is written. The facts are
checked by the same rules as ``record`` (``models.validation``). Loading the same file twice
changes nothing. An import never clears a value (an empty cell leaves it as it is) and never
changes a fact on record unless it is a correction (``correct=True`` with a ``reason``,
``ccm-tracker import --correct --reason``): the audit keeps each old and new value. A State
whose facts another writer changed during the import refuses the whole import.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pycountry
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from clock import today_in_geneva
from errors import UserError
from models.audit import audit
from models.csv_input import CsvTable, RowError, check_columns, read_csv
from models.fact_tables import FactTables, fact_tables
from models.refresh import refresh_obligations
from models.registry import claim_state
from models.tables import ArticleFact, ReportReceived, State, recorded_now
from models.tracking import WHOLE_PAST, keep_register, registers
from models.validation import (
    FactRejected,
    clearance_day_problems,
    meeting_problems,
    parse_day,
    participation_problems,
    past_day_problems,
    report_problems,
    source_problems,
    text_problems,
)
from rules.articles import deadline_in_force, extension_step_problem, original_deadline
from rules.entry_into_force import entry_into_force
from rules.facts import ArticleFacts
from rules.obligations import REPORTS_REGISTER
from rules.treaties import CCM, TREATIES, Treaty

__all__ = ["BUNDLED_DIR", "BUNDLED_FILES", "ImportRejected", "ImportResult", "RowError", "import_csv"]

BUNDLED_DIR = Path(__file__).resolve().parent.parent / "data"
BUNDLED_FILES = ("ccm_participants.csv", "ccm_article3_article4.csv")
# the APMBC's facts, loaded by `init` after the CCM's (paths under BUNDLED_DIR)
APMBC_FILES = ("apmbc/apmbc_participants.csv", "apmbc/apmbc_article4_article5.csv")

PARTICIPANT_COLUMNS = (
    "state", "iso3", "signature_date", "deposit_date", "instrument",
    "provisional_application_date", "withdrawal_effective_date", "source", "notes",
)
ARTICLE_COLUMNS = (
    "state", "iso3", "article", "extended_deadline", "extension_granted_at", "completed_date",
    "completed_period", "source", "notes",
)
REPORT_COLUMNS = ("iso3", "report", "received_on", "source")
INSTRUMENTS = {"", "ratification", "accession", "acceptance", "approval", "succession"}
# a State's facts (a change needs a correction) and its descriptive text (updated freely)
STATE_FACTS = ("signature_date", "deposit_date", "instrument", "provisional_application_date", "withdrawal_effective_date")
STATE_TEXT = ("name", "source", "notes")
CORRECT_HINT = "to replace it, import the file with --correct --reason ..."


ERRORS_SHOWN = 20  # a refused import lists this many errors, then says how many more


class ImportRejected(UserError):
    """The file had errors; the database was not touched. ``errors`` lists every one;
    ``details()`` the first ``ERRORS_SHOWN`` as ``file:line: field: reason`` lines."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        super().__init__(f"{len(errors)} error(s); nothing was imported")

    def details(self) -> list[str]:
        shown = [str(e) for e in self.errors[:ERRORS_SHOWN]]
        more = len(self.errors) - ERRORS_SHOWN
        return shown + ([f"... and {more} more error(s) not shown"] if more > 0 else [])


class FileUnreadable(ImportRejected):
    """The file cannot be read at all (missing, a folder, no permission): one sentence,
    ``nope.csv cannot be read (No such file or directory); nothing was imported``."""

    def __init__(self, error: RowError) -> None:
        super().__init__([error])
        Exception.__init__(self, f"{error.path} {error.reason}; nothing was imported")

    def details(self) -> list[str]:
        return []


@dataclass
class ImportResult:
    path: str
    kind: str
    rows: int
    added: int = 0
    updated: int = 0
    corrected: int = 0
    unchanged: int = 0
    states: set[str] = field(default_factory=set)  # States whose facts were added or updated
    # each update of a State already on record: (ISO3, field, value before, value after), so
    # the import says what it replaced (a source or a note is replaced, not kept beside)
    changed: list[tuple[str, str, Any, Any]] = field(default_factory=list)
    sha256: str = ""  # of the file's text: a corrected file from the same path differs


@dataclass
class _Import:
    """One file being imported: its rows, the session, and the errors found so far."""

    table: CsvTable
    session: Session
    actor: str
    today: dt.date
    correct: bool
    reason: str
    treaty: Treaty = CCM

    @property
    def tables(self) -> FactTables:
        """Where this file's treaty keeps its facts (``models.fact_tables``)."""
        return fact_tables(self.treaty)

    @property
    def party(self) -> Any:
        """The table of States' participation in this file's treaty."""
        return self.tables.party

    @property
    def article_table(self) -> Any:
        return self.tables.article

    @property
    def report_table(self) -> Any:
        return self.tables.report

    def rows_of(self, table: Any) -> Any:
        """``select(table)``, only this treaty's rows."""
        return self.tables.rows(table)

    def new(self, table: Any, **values: Any) -> Any:
        return self.tables.new(table, **values)

    def fail(self, line: int, name: str, reason: str) -> None:
        """Record why ``name`` on ``line`` is refused: one sentence per fault, so a field
        already refused (a day that is not a date) is not refused again by a check that
        reads its value as missing ("is empty but ... on record")."""
        if any(e.line == line and e.field == name for e in self.table.errors):
            return
        self.table.errors.append(RowError(self.table.path, line, name, reason))

    def date(self, line: int, row: dict[str, str], name: str) -> dt.date | None:
        value = row.get(name, "")
        if not value:
            return None
        try:
            return parse_day(value, field=name)
        except FactRejected as rejected:
            self.fail(line, name, str(rejected))
            return None

    def iso3(self, line: int, row: dict[str, str]) -> str | None:
        code = row.get("iso3", "")
        if not code:
            self.fail(line, "iso3", "is empty")
            return None
        if not re.fullmatch(r"[A-Z]{3}", code) or pycountry.countries.get(alpha_3=code) is None:
            self.fail(line, "iso3", f"{code!r} is not an ISO 3166-1 alpha-3 code")
            return None
        return code

    def done(self) -> None:
        if self.table.errors:
            raise ImportRejected(self.table.errors)

    def versions(self) -> dict[str, int]:
        return {p.iso3: p.facts_version for p in self.session.exec(self.rows_of(self.party)).all()}

    def claim(self, versions: dict[str, int], states: set[str]) -> None:
        """The optimistic check for every State whose facts this file changes (the writer's:
        ``models.registry.claim_state``, under this file's treaty)."""
        for iso3 in sorted(states):
            if iso3 in versions:
                claim_state(session=self.session, iso3=iso3, seen=versions[iso3], treaty=self.treaty)

    def flush(self) -> None:
        try:
            self.session.flush()
        except IntegrityError:
            raise ImportRejected([RowError(
                self.table.path, 0, "file",
                "another writer recorded the same facts while this file was being imported; "
                "nothing was written: import it again",
            )]) from None


def import_csv(
    path: Path,
    *,
    session: Session,
    actor: str,
    display: str | None = None,
    correct: bool = False,
    reason: str = "",
    today: dt.date | None = None,
    treaty: Treaty | None = None,
) -> ImportResult:
    """Validate ``path`` completely, then write it in ``session`` (the caller commits).

    ``treaty``: the convention the file's facts are under, when the caller says (``import
    --treaty``); None lets the file decide (a ``treaty`` column, else its name).

    Raises ``ImportRejected`` (every error, ``file:line: field: reason``; nothing written)
    and ``FactRejected`` when another writer changed a State's facts meanwhile.
    """
    shown = display or str(path)
    table = read_csv(path, shown=shown)
    if [(e.line, e.field) for e in table.errors] == [(0, "file")]:
        raise FileUnreadable(table.errors[0])
    if table.errors and not table.header:
        raise ImportRejected(table.errors)
    kind, columns, importer = _kind(table)
    file_treaty = _file_treaty(table, path, treaty)
    check_columns(table, kind=kind, columns=(*columns, "treaty") if "treaty" in table.header else columns)
    if correct and not reason.strip():
        table.errors.insert(0, RowError(shown, 0, "--reason", "a corrected import needs a reason"))
    for problem in text_problems(reason, field="--reason"):
        table.errors.insert(0, RowError(shown, 0, problem.field, problem.reason))
    if not table.rows and not table.errors:
        table.errors.append(RowError(shown, 1, "file", "has no data rows"))
    job = _Import(table, session, actor, today or today_in_geneva(), correct, reason.strip(), file_treaty)
    job.done()
    for line, row in table.rows:  # a fact needs a source, as `record --source` (SOURCE_NEEDED)
        for problem in source_problems(row.get("source", "")):
            job.fail(line, problem.field, problem.reason)
    result = importer(job)
    job.flush()
    result.sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
    audit(
        session=session,
        actor=actor,
        action="registry.imported",
        subject=path.name,
        detail={
            "kind": result.kind, "rows": result.rows, "added": result.added,
            "updated": result.updated, "corrected": result.corrected, "unchanged": result.unchanged,
            "sha256": result.sha256, "treaty": file_treaty.code,
            **({"reason": job.reason} if correct else {}),
        },
        source=shown,
    )
    everyone = False
    if result.kind == "reports received":
        # A file of reports received is the register: kept for the whole past, so every
        # State's missing reports are now known to be missing (overdue, not unverified).
        # Each convention keeps its own (models.treaty_facts.treaty_registers).
        from models.treaty_facts import treaty_registers

        if file_treaty is CCM:
            since = WHOLE_PAST
            before = registers(session=session).get(REPORTS_REGISTER)
            keep_register(session=session, register=REPORTS_REGISTER, since=since)
        else:
            since = file_treaty.entry_into_force.opened_for_signature
            before = treaty_registers(session=session, treaty=file_treaty).get(REPORTS_REGISTER)
            keep_register(session=session, register=f"{file_treaty.code}:{REPORTS_REGISTER}",
                          since=since)
        everyone = before != since
    if result.states or everyone:
        refresh_obligations(session=session, states=result.states, all_states=everyone)
    return result


def _file_treaty(table: CsvTable, path: Path, asked: Treaty | None) -> Treaty:
    """The file's treaty: its ``treaty`` column, else its name (``apmbc_*`` says the APMBC;
    any other name says nothing), else the one the caller asked for (``import --treaty``),
    else the CCM. A column or an ``apmbc_`` name that disagrees with ``asked`` is added to
    ``table.errors``."""
    named = TREATIES["APMBC"] if path.name.lower().startswith("apmbc_") else None
    decided, why = named, f"its name {path.name!r}"
    if "treaty" in table.header:
        values = {row.get("treaty", "").strip().upper() for _, row in table.rows}
        for line, row in table.rows:
            code = row.get("treaty", "").strip().upper()
            if code not in TREATIES:
                known = ", ".join(c.lower() for c in TREATIES)
                table.errors.append(RowError(table.path, line, "treaty", f"{row.get('treaty', '')!r} is not one of {known}"))
        good = values & set(TREATIES)
        if len(good) > 1:
            table.errors.append(RowError(table.path, 1, "treaty", f"one file holds one treaty's facts; this one names {', '.join(sorted(good))}"))
        if len(good) == 1:
            decided, why = TREATIES[good.pop()], "its treaty column"
    if decided is None:  # nothing in the file says: the caller decides, the CCM by default
        return asked or CCM
    if asked is not None and asked is not decided:
        table.errors.append(RowError(
            table.path, 1, "treaty",
            f"--treaty {asked.code.lower()} was given, but {why} says {decided.code.lower()}"))
        return asked
    return decided


def _kind(table: CsvTable) -> tuple[str, tuple[str, ...], Callable[[_Import], ImportResult]]:
    header = set(table.header)
    if "deposit_date" in header:
        return "participants", PARTICIPANT_COLUMNS, _import_participants
    if "article" in header:
        return "Art. 3/4 facts", ARTICLE_COLUMNS, _import_article_facts
    if "report" in header or "received_on" in header:
        return "reports received", REPORT_COLUMNS, _import_reports
    if any(e.field == "header" for e in table.errors):  # semicolons, say: that is the news
        raise ImportRejected(table.errors)
    table.errors.append(
        RowError(
            table.path, 1, "header",
            "not a participants, Art. 3/4 facts or reports received file (expected the columns "
            f"{','.join(PARTICIPANT_COLUMNS)}, or {','.join(ARTICLE_COLUMNS)}, or {','.join(REPORT_COLUMNS)})",
        )
    )
    raise ImportRejected(table.errors)


def _import_participants(job: _Import) -> ImportResult:
    existing = {s.iso3: s for s in job.session.exec(job.rows_of(job.party)).all()}
    versions = job.versions()
    parsed: list[tuple[int, dict[str, Any]]] = []
    seen: dict[str, int] = {}
    for line, row in job.table.rows:
        code = job.iso3(line, row)
        if not row.get("state"):
            job.fail(line, "state", "is empty")
        elif any(unicodedata.category(c) in {"Cc", "Cf", "Zl", "Zp"} for c in row["state"]):
            job.fail(line, "state", "a State's name is one line of text; this one holds a line break "
                     "or a control character")
        values: dict[str, Any] = {
            "name": row.get("state", ""),
            "signature_date": job.date(line, row, "signature_date"),
            "deposit_date": job.date(line, row, "deposit_date"),
            "instrument": row.get("instrument", "").lower() or None,
            "provisional_application_date": job.date(line, row, "provisional_application_date"),
            "withdrawal_effective_date": job.date(line, row, "withdrawal_effective_date"),
            "source": row.get("source", ""),
            "notes": row.get("notes", ""),
        }
        for problem in participation_problems(
            signature=values["signature_date"], deposit=values["deposit_date"],
            provisional=values["provisional_application_date"],
            withdrawal=values["withdrawal_effective_date"], today=job.today, treaty=job.treaty,
        ):
            job.fail(line, problem.field, problem.reason)
        if not row.get("signature_date", "").strip() and not row.get("deposit_date", "").strip():
            # a row of neither would make the State a signatory of a treaty it never signed
            job.fail(line, "signature_date", "is empty and so is deposit_date: a participant has signed "
                     "or deposited an instrument (a State that did neither is not in the register)")
        instrument = values["instrument"] or ""
        if instrument not in INSTRUMENTS:
            job.fail(line, "instrument", f"{instrument!r} is not one of {sorted(INSTRUMENTS - {''})}")
        if not row.get("deposit_date") and instrument:
            job.fail(line, "deposit_date", f"is empty but instrument is {instrument!r}")
        if code is None:
            continue
        if code in seen:
            job.fail(line, "iso3", f"{code} is listed twice (first on line {seen[code]})")
            continue
        seen[code] = line
        values["iso3"] = code
        if code in existing:
            _check_state_change(job, line, existing[code], values)
        parsed.append((line, values))
    job.done()

    result = ImportResult(path=job.table.path, kind="participants", rows=len(job.table.rows))
    changes = {v["iso3"]: _state_changes(existing[v["iso3"]], v) for _, v in parsed if v["iso3"] in existing}
    job.claim(versions, {iso3 for iso3, change in changes.items() if change})
    for _, values in parsed:
        current = existing.get(values["iso3"])
        if current is None:
            job.session.add(job.new(job.party, **values))
            result.added += 1
            result.states.add(values["iso3"])
            continue
        change = changes[current.iso3]
        if not change:
            result.unchanged += 1
            continue
        for name, (_, new) in change.items():
            setattr(current, name, new)
        current.recorded_at = recorded_now()
        job.session.add(current)
        corrected = any(old is not None and name in STATE_FACTS for name, (old, _) in change.items())
        result.corrected += corrected
        result.updated += not corrected
        result.states.add(current.iso3)
        result.changed += [(current.iso3, name, old, new) for name, (old, new) in change.items()]
        audit(
            session=job.session, actor=job.actor,
            action="state.corrected" if corrected else "state.updated", subject=current.iso3,
            detail={"changes": {n: [o, v] for n, (o, v) in change.items()},
                    **({"reason": job.reason} if corrected else {})},
            source=job.table.path,
        )
    return result


def _state_changes(current: State, values: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """What the row changes on a State on record: an empty cell never clears a value."""
    changes = {}
    for name in (*STATE_FACTS, *STATE_TEXT):
        old, new = getattr(current, name), values[name]
        if new in (None, "") or new == old:
            continue
        changes[name] = (old, new)
    return changes


def _check_state_change(job: _Import, line: int, current: State, values: dict[str, Any]) -> None:
    """A fact on record is changed only by a correction; an empty cell never clears one."""
    for name in STATE_FACTS:
        old, new = getattr(current, name), values[name]
        if old is None or new == old:
            continue
        if new is None:
            job.fail(line, name, f"is empty but {current.iso3}'s is on record as {old}: an import never "
                     "clears a value (a cell cut off, or a row shorter than the header?)")
        elif not job.correct:
            job.fail(line, name, f"{new} differs from {current.iso3}'s {old} on record; {CORRECT_HINT}")


PERIOD = re.compile(r"\d{4}(-(0[1-9]|1[0-2]))?")


def _known_states(job: _Import) -> dict[str, Any]:
    return {s.iso3: s for s in job.session.exec(job.rows_of(job.party)).all()}


def _same_row(fact: ArticleFact) -> tuple[object, ...]:
    return (fact.iso3, fact.article, fact.extended_deadline, fact.extension_granted_at,
            fact.completed_date, fact.completed_period, fact.source)


def _same_claim(fact: ArticleFact) -> tuple[object, ...] | None:
    """What one source says once: the completion of an article, or the step one meeting
    granted. Another value for it from the same source is a correction."""
    if fact.completed_date or fact.completed_period:
        return ("completion", fact.iso3, fact.article, fact.source)
    if fact.extended_deadline and fact.extension_granted_at:
        meeting = " ".join(fact.extension_granted_at.split()).casefold()
        return ("extension", fact.iso3, fact.article, meeting, fact.source)
    return None


def _steps_known(
    stored: list[Any], rows: list[tuple[int, dict[str, str]]]
) -> tuple[dict[tuple[str, int], set[dt.date]], dict[tuple[str, int], dt.date]]:
    """Every extension step on record or in the file, and the end of hostilities on record,
    per (State, article): what the deadline in force before a new step is computed from."""
    untils: dict[tuple[str, int], set[dt.date]] = {}
    ended: dict[tuple[str, int], dt.date] = {}
    for fact in stored:
        if fact.extended_deadline:
            untils.setdefault((fact.iso3, fact.article), set()).add(fact.extended_deadline)
        day = getattr(fact, "hostilities_ended", None)
        if day and day > ended.get((fact.iso3, fact.article), dt.date.min):
            ended[(fact.iso3, fact.article)] = day
    for _, row in rows:
        try:
            key = (row.get("iso3", ""), int(row.get("article", "")))
            until = dt.date.fromisoformat(row.get("extended_deadline", ""))
        except ValueError:
            continue  # reported by the row's own checks
        untils.setdefault(key, set()).add(until)
    return untils, ended


def _import_article_facts(job: _Import) -> ImportResult:
    states = _known_states(job)
    versions = job.versions()
    table = job.article_table
    stored = list(job.session.exec(job.rows_of(table).order_by(table.id)).all())
    articles = {str(a) for a in job.treaty.articles}
    article_names = " or ".join(sorted(articles))
    by_row = {_same_row(f): f for f in stored}
    by_claim = {c: f for f in stored if (c := _same_claim(f))}
    untils, ended = _steps_known(stored, job.table.rows)
    plan: list[tuple[str, ArticleFact, ArticleFact | None]] = []  # (change, new, stored)
    for line, row in job.table.rows:
        code = job.iso3(line, row)
        article_text = row.get("article", "")
        if article_text not in articles:
            whose = "" if job.treaty is CCM else f" (the {job.treaty.code}'s deadline articles)"
            job.fail(line, "article", f"{article_text!r} is not {article_names}{whose}")
        extended = job.date(line, row, "extended_deadline")
        completed = job.date(line, row, "completed_date")
        period = row.get("completed_period", "")
        if period and not PERIOD.fullmatch(period):
            job.fail(line, "completed_period", f"{period!r} is not YYYY or YYYY-MM")
        elif period and dt.date(int(period[:4]), int(period[5:] or 1), 1) > job.today:
            job.fail(line, "completed_period", f"{period} has not begun (today is {job.today.isoformat()}, Geneva)")
        for problem in past_day_problems(completed, field="completed_date", today=job.today, what="completion"):
            job.fail(line, problem.field, problem.reason)
        state = states.get(code) if code else None
        if code and state is None:
            job.fail(line, "iso3", f"{code} is not in the registry (import participants first)")
        if state is None or article_text not in articles:
            continue
        article = int(article_text)
        if extended:
            if state.deposit_date is None:
                job.fail(line, "extended_deadline", f"{code} is not a State Party")
            else:
                eif = entry_into_force(state.deposit_date, job.treaty)
                original = original_deadline(article, eif, treaty=job.treaty)
                if extended <= original:
                    job.fail(line, "extended_deadline",
                             f"{extended.isoformat()} is not after the original deadline {original.isoformat()}")
                elif job.treaty is CCM:
                    # The one rule (as `record extension` and the scan): the step from the
                    # deadline in force before it, with the Art. 4(1)(b) end of hostilities.
                    # (The bundled APMBC rows skip steps the sources did not give: not checked.)
                    steps = untils.get((state.iso3, article), set())
                    before = ArticleFacts(article, tuple(u for u in steps if u < extended),
                                          hostilities_ended=ended.get((state.iso3, article)))
                    in_force = deadline_in_force(before, eif, job.treaty)
                    problem = extension_step_problem(article, in_force, extended, job.treaty)
                    if problem:
                        job.fail(line, "extended_deadline", f"{code} Art. {article}: {problem}")
        if job.treaty is CCM:  # the same checks as `record extension|completion` (models/validation.py)
            granted_at = row.get("extension_granted_at") or None
            problems = clearance_day_problems(state=state, article=article, completed_on=completed,
                                              field="completed_date")
            if extended:
                problems += meeting_problems(granted_at, until=extended, field="extension_granted_at",
                                             until_field="extended_deadline")
            for problem in problems:
                job.fail(line, problem.field, problem.reason)
        elif extended:  # another convention's granting meeting: on its calendar, as the CCM's
            for problem in meeting_problems(row.get("extension_granted_at") or None, until=extended,
                                            field="extension_granted_at", until_field="extended_deadline",
                                            treaty=job.treaty):
                job.fail(line, problem.field, problem.reason)
        if extended and not job.treaty.article(article).extendable:
            job.fail(line, "extended_deadline",
                     f"the {job.treaty.code}'s Art. {article} has no extension mechanism")
        fact = job.new(
            table, iso3=state.iso3, article=article, extended_deadline=extended,
            extension_granted_at=row.get("extension_granted_at") or None, completed_date=completed,
            completed_period=period or None, source=row.get("source", ""), notes=row.get("notes", ""),
        )
        same = by_row.get(_same_row(fact))
        claim = _same_claim(fact)
        earlier = by_claim.get(claim) if claim else None
        if same is not None:
            plan.append(("unchanged" if same.notes == fact.notes or not fact.notes else "updated", fact, same))
        elif earlier is not None:
            if not job.correct:
                job.fail(line, "extended_deadline" if claim and claim[0] == "extension" else "completed_date",
                         f"{_describe(fact)} differs from {_describe(earlier)} on record from the same source; {CORRECT_HINT}")
            plan.append(("corrected", fact, earlier))
        else:
            plan.append(("added", fact, None))
            by_row[_same_row(fact)] = fact
            if claim:
                by_claim[claim] = fact
    job.done()

    result = ImportResult(path=job.table.path, kind=_article_kind(job.treaty), rows=len(job.table.rows))
    job.claim(versions, {fact.iso3 for change, fact, _ in plan if change != "unchanged"})
    for change, fact, on_record in plan:
        setattr(result, change, getattr(result, change) + 1)
        if change == "unchanged":
            continue
        result.states.add(fact.iso3)
        if on_record is None:
            job.session.add(fact)
            continue
        old = _describe(on_record)
        for name in ("extended_deadline", "completed_date", "completed_period", "notes"):
            if change == "corrected" or name == "notes":
                setattr(on_record, name, getattr(fact, name))
        if change == "corrected":  # a new value: known from now (a step's day in effect)
            on_record.recorded_at = recorded_now()
        job.session.add(on_record)
        if change == "corrected":
            audit(session=job.session, actor=job.actor, action="article.corrected", subject=fact.iso3,
                  detail={"article": fact.article, "old": old, "new": _describe(fact), "reason": job.reason},
                  source=job.table.path)
    return result


def _describe(fact: ArticleFact) -> str:
    if fact.completed_date or fact.completed_period:
        return f"Art. {fact.article} completed {fact.completed_date or 'in ' + str(fact.completed_period)}"
    return f"Art. {fact.article} extended to {fact.extended_deadline} ({fact.extension_granted_at})"


def _import_reports(job: _Import) -> ImportResult:
    states = _known_states(job)
    versions = job.versions()
    parsed: dict[tuple[str, str, int], tuple[int, ReportReceived]] = {}
    for line, row in job.table.rows:
        code = job.iso3(line, row)
        received = job.date(line, row, "received_on")
        report = row.get("report", "").lower()
        state = states.get(code) if code else None
        if code and state is None:
            job.fail(line, "iso3", f"{code} is not in the registry (import participants first)")
        if report == "initial":
            kind, period = "initial", None
        elif re.fullmatch(r"\d{4}", report):
            kind, period = "annual", int(report)
        else:
            job.fail(line, "report", f"{report!r} is neither 'initial' nor a year (YYYY)")
            continue
        if state is None:
            continue
        problems = report_problems(state=state, period=period, received_on=received, today=job.today,
                                   treaty=job.treaty)
        for problem in problems:
            job.fail(line, problem.field, problem.reason)
        if problems:
            continue
        identity = (state.iso3, kind, period or 0)
        if identity in parsed:
            job.fail(line, "report", f"{code} {report} is listed twice (first on line {parsed[identity][0]})")
            continue
        parsed[identity] = (line, job.new(
            job.report_table, iso3=state.iso3, kind=kind, period=period or 0, received_on=received, source=row.get("source", ""),
        ))
    existing = {(r.iso3, r.kind, r.period): r for r in job.session.exec(job.rows_of(job.report_table)).all()}
    plan: list[tuple[str, ReportReceived, ReportReceived | None]] = []
    for identity, (line, report) in parsed.items():
        current = existing.get(identity)
        if current is None:
            plan.append(("added", report, None))
        elif report.received_on in (None, current.received_on):  # an empty cell never clears a day
            plan.append(("unchanged", report, current))
        elif current.received_on is None:
            plan.append(("updated", report, current))
        else:
            if not job.correct:
                name = "initial report" if report.kind == "initial" else f"{report.period} annual report"
                job.fail(line, "received_on",
                         f"{report.received_on} differs from {report.iso3}'s {name} on record as received "
                         f"{current.received_on}; {CORRECT_HINT}")
            plan.append(("corrected", report, current))
    job.done()

    result = ImportResult(path=job.table.path, kind="reports received", rows=len(job.table.rows))
    job.claim(versions, {r.iso3 for change, r, _ in plan if change != "unchanged"})
    for change, report, current in plan:
        setattr(result, change, getattr(result, change) + 1)
        if change == "unchanged":
            continue
        result.states.add(report.iso3)
        if current is None:
            job.session.add(report)
            continue
        old = current.received_on
        current.received_on, current.source = report.received_on, report.source
        current.recorded_at = recorded_now()
        job.session.add(current)
        if change == "corrected":
            audit(session=job.session, actor=job.actor, action="report.corrected", subject=report.iso3,
                  detail={"kind": report.kind, "period": report.period or None, "old": old,
                          "new": report.received_on, "reason": job.reason},
                  source=job.table.path)
    return result



def _article_kind(treaty: Treaty) -> str:
    """``Art. 3/4 facts`` (CCM), ``APMBC Art. 4/5 facts``."""
    articles = "/".join(str(a) for a in treaty.articles)
    return f"Art. {articles} facts" if treaty is CCM else f"{treaty.code} Art. {articles} facts"
