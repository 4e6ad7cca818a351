"""Load the demo dataset (``data/demo/*.toml``) through the same audited data functions a
user calls. Idempotent: a record already loaded as it is in the file is left untouched (no
write, no audit row, no version bump); one bad record and nothing is loaded.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from errors import UserError
from models.coordination import (
    CoordinationRejected,
    add_action_item,
    add_coordinator,
    add_output,
    add_target,
    close_action_item,
    record_response,
)
from models.meetings import MeetingRejected, meeting_when, schedule_meeting
from models.money import MoneyRejected, issue_invoice, pay_invoice, record_reported_shortfall
from models.refresh import deferred
from models.tables import State, TrackerSetting
from rules.dates import GENEVA
from rules.treaties import treaty_named

DEMO_DIR = Path(__file__).resolve().parent.parent / "data" / "demo"
DEMO_FILE = DEMO_DIR / "cc-2016-12-07.toml"


class DemoRejected(UserError, ValueError):
    """The demo file has a bad record; nothing was loaded."""


@dataclass
class DemoResult:
    path: str
    counts: dict[str, Counter[str]] = field(default_factory=dict)
    new_meetings: list[str] = field(default_factory=list)
    touched_states: set[str] = field(default_factory=set)

    def count(self, section: str, change: str) -> None:
        self.counts.setdefault(section, Counter())[change] += 1

    @property
    def changed(self) -> bool:
        return any(
            c for counts in self.counts.values() for c in counts
            if c not in ("unchanged", "left out (illustrative)")
        )


# A database that holds the demo (and was made for it) says so in tracker_setting: its
# reminders go only to the local outbox, never to the recipients of an Apprise config.
ROLE_SETTING = "database_role"
DEMO_ROLE = "demo"
DEMO_DATABASE_NAME = "ccm-demo.db"


def is_demo_database(*, session: Session) -> bool:
    """True when the database was made for the demo (``mark_demo_database``)."""
    row = session.get(TrackerSetting, ROLE_SETTING)
    return row is not None and row.value == DEMO_ROLE


def mark_demo_database(*, session: Session) -> None:
    if not is_demo_database(session=session):
        session.merge(TrackerSetting(name=ROLE_SETTING, value=DEMO_ROLE))


def holds_real_facts(*, session: Session) -> bool:
    """A database not made for the demo that holds a registry (States) holds real facts."""
    if is_demo_database(session=session):
        return False
    return session.exec(select(State.iso3).limit(1)).first() is not None


def load_demo(
    *, session: Session, path: Path = DEMO_FILE, actor: str, illustrative: bool = True
) -> DemoResult:
    """Load the demo file's records through the audited data functions (the caller commits).

    ``illustrative=False`` leaves out the records the file marks ``illustrative`` (the
    ``DEMO-*`` invoices: examples, not facts), for a load into a database of real facts.
    ``touched_states`` lists only States in the registry. Raises ``DemoRejected``.
    """
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise DemoRejected(f"{path}: {error}") from None
    result = DemoResult(path=str(path))
    with deferred(session):  # one refresh of the obligations for the whole file
        for section, loader in LOADERS:
            for index, record in enumerate(data.get(section, []), start=1):
                if record.get("illustrative") and not illustrative:
                    result.count(section, "left out (illustrative)")
                    continue
                try:
                    loader(session, record, actor, result)
                except (KeyError, ValueError, MeetingRejected, MoneyRejected, CoordinationRejected) as error:
                    what = f"missing field {error}" if isinstance(error, KeyError) else str(error)
                    raise DemoRejected(f"{path.name}: [[{section}]] #{index}: {what}") from None
    known = set(session.exec(select(State.iso3)).all())
    result.touched_states &= known  # no event for a State outside the registry
    return result


def _meeting(session: Session, r: dict[str, Any], actor: str, result: DemoResult) -> None:
    timezone = r.get("timezone", GENEVA)
    when = meeting_when(start=r.get("start"), end=r.get("end"), month=r.get("month"), timezone=timezone)
    meeting, change = schedule_meeting(
        session=session, slug=r["slug"], title=r["title"], kind=r["kind"], when=when,
        timezone=timezone, venue=r.get("venue", ""), organiser=r.get("organiser", ""),
        source=r["source"], notes=r.get("notes", ""), actor=actor, replace=True,
    )
    result.count("meetings", change)
    if change == "created":
        result.new_meetings.append(meeting.slug)


def _coordinators(session: Session, r: dict[str, Any], actor: str, result: DemoResult) -> None:
    for iso3 in r["states"]:
        change = add_coordinator(session=session, theme=r["theme"], iso3=iso3, source=r["source"], actor=actor)
        result.count("coordinators", change)


def _targets(session: Session, r: dict[str, Any], actor: str, result: DemoResult) -> None:
    for iso3 in r["states"]:
        # `as_of`: the day the minutes set the target (a universalization target is checked
        # as not party on that day: South Sudan joined the CCM in 2023); `treaty`: ccm|apmbc
        change = add_target(session=session, theme=r["theme"], iso3=iso3, ask=r.get("ask", ""),
                            source=r["source"], actor=actor, as_of=_day(r.get("as_of")),
                            treaty=treaty_named(r.get("treaty", "ccm")))
        result.count("targets", change)
        if change != "unchanged":
            result.touched_states.add(iso3)


def _action_item(session: Session, r: dict[str, Any], actor: str, result: DemoResult) -> None:
    item, change = add_action_item(
        session=session, slug=r["slug"], title=r["title"], owner_theme=r["owner_theme"],
        owner=r.get("owner", ""), due=_day(r.get("due")), target_states=r.get("targets", []),
        source=r["source"], notes=r.get("notes", ""), actor=actor, replace=True,
    )
    status, closed = r.get("status", "open"), _day(r.get("closed_on"))
    if (item.status, item.closed_on) != (status, closed):
        close_action_item(session=session, slug=item.slug, status=status,
                          on=closed or dt.date.min, source=r["source"], actor=actor)
        change = "updated" if change == "unchanged" else change
    result.count("action_items", change)


def _output(session: Session, r: dict[str, Any], actor: str, result: DemoResult) -> None:
    change = add_output(session=session, slug=r["slug"], theme=r["theme"], text=r["text"],
                        target_count=r["target_count"], deadline=_day(r.get("deadline")),
                        source=r["source"], actor=actor)
    result.count("outputs", change)
    for response in r.get("responses", []):
        result.count("output_responses", record_response(
            session=session, slug=r["slug"], iso3=response["iso3"], on=_day(response["on"]),  # type: ignore[arg-type]
            source=response.get("source", r["source"]), actor=actor))


def _shortfall(session: Session, r: dict[str, Any], actor: str, result: DemoResult) -> None:
    _, change = record_reported_shortfall(
        session=session, reported_on=_day(r["reported_on"]), reported_by=r["reported_by"],  # type: ignore[arg-type]
        amount=r["amount"], previously=r.get("previously", ""),
        letters_sent=r.get("letters_sent"), source=r["source"], actor=actor,
    )
    result.count("reported_shortfalls", change)


def _invoice(session: Session, r: dict[str, Any], actor: str, result: DemoResult) -> None:
    invoice, change = issue_invoice(
        session=session, number=r["number"], iso3=r["iso3"], kind=r["kind"], amount=r["amount"],
        issued_on=_day(r["issued_on"]), meeting=r.get("meeting"),  # type: ignore[arg-type]
        illustrative=bool(r.get("illustrative", False)), source=r["source"],
        notes=r.get("notes", ""), actor=actor, replace=True,
    )
    paid = _day(r.get("paid_on"))
    if paid is not None and invoice.paid_on != paid:
        pay_invoice(session=session, number=invoice.number, paid_on=paid, source=r["source"], actor=actor)
        change = "updated" if change == "unchanged" else change
    result.count("invoices", change)
    if change != "unchanged":
        result.touched_states.add(invoice.iso3)


def _day(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"{value!r} is not a date (YYYY-MM-DD)") from None


LOADERS = (
    ("meetings", _meeting),
    ("coordinators", _coordinators),
    ("targets", _targets),
    ("action_items", _action_item),
    ("outputs", _output),
    ("reported_shortfalls", _shortfall),
    ("invoices", _invoice),
)
