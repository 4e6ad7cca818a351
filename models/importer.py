"""The validating importer: a CSV of facts goes in whole, or not at all.

Three kinds of file, told apart by their header:

- participants: ``state,iso3,signature_date,deposit_date,instrument,...`` (one row per State)
- Art. 3/4 facts: ``state,iso3,article,extended_deadline,...,completed_date,...``
- reports received: ``iso3,report,received_on,source`` (``report`` is ``initial`` or a year)

Every bad row is reported as ``file:line: field: reason``; when there is any, nothing is
written. Loading the same file twice changes nothing the second time.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pycountry
from sqlmodel import Session, select

from errors import UserError
from models.audit import audit
from models.rows import apply_changes
from models.tables import ArticleFact, ReportReceived, State
from rules.articles import original_deadline
from rules.entry_into_force import OPENED_FOR_SIGNATURE, entry_into_force

BUNDLED_DIR = Path(__file__).resolve().parent.parent / "data"
BUNDLED_FILES = ("ccm_participants.csv", "ccm_article3_article4.csv")

PARTICIPANT_COLUMNS = {"state", "iso3", "signature_date", "deposit_date", "source"}
ARTICLE_COLUMNS = {"iso3", "article", "extended_deadline", "completed_date", "source"}
REPORT_COLUMNS = {"iso3", "report", "received_on"}
INSTRUMENTS = {"", "ratification", "accession", "acceptance", "approval"}


@dataclass
class RowError:
    path: str
    line: int
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.field}: {self.reason}"


class ImportRejected(UserError):
    """The file had errors; the database was not touched."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


@dataclass
class ImportResult:
    path: str
    kind: str
    rows: int
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    states: set[str] = field(default_factory=set)  # States whose facts were added or updated


def import_csv(
    path: Path, *, session: Session, actor: str, display: str | None = None
) -> ImportResult:
    """Validate ``path`` completely, then write it in ``session`` (the caller commits)."""
    shown = display or str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportRejected([RowError(shown, 0, "file", f"cannot be read: {exc}")]) from exc
    rows = list(_rows(text))
    header = set(rows[0][1].keys()) if rows else set()
    if not rows:
        raise ImportRejected([RowError(shown, 1, "file", "has no data rows")])
    if PARTICIPANT_COLUMNS <= header:
        importer: Callable[..., ImportResult] = _import_participants
    elif ARTICLE_COLUMNS <= header:
        importer = _import_article_facts
    elif REPORT_COLUMNS <= header:
        importer = _import_reports
    else:
        raise ImportRejected(
            [
                RowError(
                    shown,
                    1,
                    "header",
                    "not a participants, Art. 3/4 or reports file (expected columns "
                    f"{sorted(PARTICIPANT_COLUMNS)} or {sorted(ARTICLE_COLUMNS)} "
                    f"or {sorted(REPORT_COLUMNS)})",
                )
            ]
        )
    result: ImportResult = importer(rows, shown, session)
    digest = hashlib.sha256(text.encode()).hexdigest()
    audit(
        session=session,
        actor=actor,
        action="registry.imported",
        subject=path.name,
        detail={
            "kind": result.kind,
            "rows": result.rows,
            "added": result.added,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "sha256": digest,
        },
        source=shown,
    )
    return result


def _rows(text: str) -> Iterator[tuple[int, dict[str, str]]]:
    """(line where the row starts, row) pairs; quoted fields may span lines."""
    reader = csv.DictReader(text.splitlines(keepends=True))
    start = 2
    for row in reader:
        yield start, {k.strip(): (v or "").strip() for k, v in row.items() if k is not None}
        start = reader.line_num + 1


class _Checker:
    """Collects errors for one file; each ``date``/``iso3`` call checks one field."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.errors: list[RowError] = []

    def fail(self, line: int, name: str, reason: str) -> None:
        self.errors.append(RowError(self.path, line, name, reason))

    def date(self, line: int, row: dict[str, str], name: str) -> dt.date | None:
        value = row.get(name, "")
        if not value:
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            self.fail(line, name, f"{value!r} is not a date (YYYY-MM-DD)")
            return None

    def iso3(self, line: int, row: dict[str, str]) -> str | None:
        code = row.get("iso3", "")
        if not code:
            self.fail(line, "iso3", "is empty")
            return None
        if code != code.upper() or pycountry.countries.get(alpha_3=code) is None:
            self.fail(line, "iso3", f"{code!r} is not an ISO 3166-1 alpha-3 code")
            return None
        return code

    def done(self) -> None:
        if self.errors:
            raise ImportRejected(self.errors)


def _import_participants(
    rows: list[tuple[int, dict[str, str]]], path: str, session: Session
) -> ImportResult:
    check = _Checker(path)
    parsed: list[State] = []
    seen: dict[str, int] = {}
    for line, row in rows:
        code = check.iso3(line, row)
        name = row.get("state", "")
        if not name:
            check.fail(line, "state", "is empty")
        signature = check.date(line, row, "signature_date")
        deposit = check.date(line, row, "deposit_date")
        provisional = check.date(line, row, "provisional_application_date")
        withdrawal = check.date(line, row, "withdrawal_effective_date")
        instrument = row.get("instrument", "").lower()
        for label, day in (("signature_date", signature), ("deposit_date", deposit)):
            if day and day < OPENED_FOR_SIGNATURE:
                check.fail(
                    line,
                    label,
                    f"{day.isoformat()} is before the Convention opened for signature "
                    f"on {OPENED_FOR_SIGNATURE.isoformat()}",
                )
        if deposit and signature and deposit < signature:
            check.fail(line, "deposit_date", "is before the State signed")
        if withdrawal and not deposit:
            check.fail(line, "withdrawal_effective_date", "a State that never deposited cannot withdraw")
        if withdrawal and deposit and withdrawal <= deposit:
            check.fail(line, "withdrawal_effective_date", "is not after the deposit")
        if instrument not in INSTRUMENTS:
            check.fail(line, "instrument", f"{instrument!r} is not one of {sorted(INSTRUMENTS - {''})}")
        if not row.get("deposit_date") and instrument:
            check.fail(line, "deposit_date", f"is empty but instrument is {instrument!r}")
        if code:
            if code in seen:
                check.fail(line, "iso3", f"{code} is listed twice (first on line {seen[code]})")
                continue
            seen[code] = line
            parsed.append(
                State(
                    iso3=code,
                    name=name,
                    signature_date=signature,
                    deposit_date=deposit,
                    instrument=instrument or None,
                    provisional_application_date=provisional,
                    withdrawal_effective_date=withdrawal,
                    source=row.get("source", ""),
                    notes=row.get("notes", ""),
                )
            )
    check.done()

    result = ImportResult(path=path, kind="participants", rows=len(rows))
    existing = {s.iso3: s for s in session.exec(select(State)).all()}
    for state in parsed:
        current = existing.get(state.iso3)
        if current is None:
            session.add(state)
            result.added += 1
            result.states.add(state.iso3)
        elif apply_changes(current, state.model_dump()):
            session.add(current)
            result.updated += 1
            result.states.add(state.iso3)
        else:
            result.unchanged += 1
    return result


PERIOD = re.compile(r"^\d{4}(-(0[1-9]|1[0-2]))?$")


def _known_states(session: Session) -> dict[str, State]:
    return {s.iso3: s for s in session.exec(select(State)).all()}


def _import_article_facts(
    rows: list[tuple[int, dict[str, str]]], path: str, session: Session
) -> ImportResult:
    check = _Checker(path)
    states = _known_states(session)
    parsed: list[ArticleFact] = []
    for line, row in rows:
        code = check.iso3(line, row)
        article_text = row.get("article", "")
        if article_text not in {"3", "4"}:
            check.fail(line, "article", f"{article_text!r} is not 3 or 4")
        extended = check.date(line, row, "extended_deadline")
        completed = check.date(line, row, "completed_date")
        period = row.get("completed_period", "")
        if period and not PERIOD.match(period):
            check.fail(line, "completed_period", f"{period!r} is not YYYY or YYYY-MM")
        state = states.get(code) if code else None
        if code and state is None:
            check.fail(line, "iso3", f"{code} is not in the registry (import participants first)")
        if state is None or article_text not in {"3", "4"}:
            continue
        article = int(article_text)
        if extended:
            if state.deposit_date is None:
                check.fail(line, "extended_deadline", f"{code} is not a State Party")
            else:
                original = original_deadline(article, entry_into_force(state.deposit_date))
                if extended <= original:
                    check.fail(
                        line,
                        "extended_deadline",
                        f"{extended.isoformat()} is not after the original deadline "
                        f"{original.isoformat()}",
                    )
        parsed.append(
            ArticleFact(
                iso3=state.iso3,
                article=article,
                extended_deadline=extended,
                extension_granted_at=row.get("extension_granted_at") or None,
                completed_date=completed,
                completed_period=period or None,
                source=row.get("source", ""),
                notes=row.get("notes", ""),
            )
        )
    check.done()

    result = ImportResult(path=path, kind="article facts", rows=len(rows))
    existing = {_fact_identity(f) for f in session.exec(select(ArticleFact)).all()}
    for fact in parsed:
        identity = _fact_identity(fact)
        if identity in existing:
            result.unchanged += 1
            continue
        existing.add(identity)
        session.add(fact)
        result.added += 1
        result.states.add(fact.iso3)
    return result


def _fact_identity(fact: ArticleFact) -> tuple[object, ...]:
    return (
        fact.iso3,
        fact.article,
        fact.extended_deadline,
        fact.extension_granted_at,
        fact.completed_date,
        fact.completed_period,
        fact.source,
        fact.notes,
    )


def _import_reports(
    rows: list[tuple[int, dict[str, str]]], path: str, session: Session
) -> ImportResult:
    check = _Checker(path)
    states = _known_states(session)
    parsed: dict[tuple[str, str, int], ReportReceived] = {}
    for line, row in rows:
        code = check.iso3(line, row)
        received = check.date(line, row, "received_on")
        report = row.get("report", "").lower()
        state = states.get(code) if code else None
        if code and state is None:
            check.fail(line, "iso3", f"{code} is not in the registry (import participants first)")
        elif state is not None and state.deposit_date is None:
            check.fail(line, "iso3", f"{code} is a signatory: it owes no Art. 7 reports")
        if report == "initial":
            kind, period = "initial", 0
        elif re.fullmatch(r"\d{4}", report):
            kind, period = "annual", int(report)
            if state and state.deposit_date and period < entry_into_force(state.deposit_date).year:
                check.fail(line, "report", f"{code} was not bound by the Convention in {period}")
        else:
            check.fail(line, "report", f"{report!r} is neither 'initial' nor a year (YYYY)")
            continue
        if state is None or state.deposit_date is None:
            continue
        identity = (state.iso3, kind, period)
        if identity in parsed:
            check.fail(line, "report", f"{code} {report} is listed twice")
            continue
        parsed[identity] = ReportReceived(
            iso3=state.iso3, kind=kind, period=period, received_on=received,
            source=row.get("source", ""),
        )
    check.done()

    result = ImportResult(path=path, kind="reports received", rows=len(rows))
    existing = {
        (r.iso3, r.kind, r.period): r for r in session.exec(select(ReportReceived)).all()
    }
    for identity, report in parsed.items():
        current = existing.get(identity)
        if current is None:
            session.add(report)
            result.added += 1
            result.states.add(report.iso3)
        elif (current.received_on, current.source) != (report.received_on, report.source):
            current.received_on, current.source = report.received_on, report.source
            session.add(current)
            result.updated += 1
            result.states.add(report.iso3)
        else:
            result.unchanged += 1
    return result
