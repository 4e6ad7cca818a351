"""The registry's tables. Facts are kept with their source; obligations are computed.

Every change to a fact also writes an ``AuditEntry`` (see ``models.audit``).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, String, UniqueConstraint
from sqlmodel import Field, SQLModel


def recorded_now() -> dt.datetime:
    """The moment a fact is written (timezone-aware UTC)."""
    return dt.datetime.now(dt.UTC)


class StateBase(SQLModel):
    iso3: str = Field(primary_key=True, min_length=3, max_length=3)
    name: str
    signature_date: dt.date | None = None
    deposit_date: dt.date | None = None
    instrument: str | None = None  # ratification | accession | acceptance | approval
    provisional_application_date: dt.date | None = None  # Art. 18
    withdrawal_effective_date: dt.date | None = None  # Art. 20
    source: str = ""
    notes: str = ""
    # When this row was written (UTC); None for rows written before revision 0007.
    recorded_at: dt.datetime | None = Field(default_factory=recorded_now)


class State(StateBase, table=True):
    __tablename__ = "state"

    # Grows by one with every write of this State's facts (participation, reports, Art. 3/4
    # facts); a writer sets it only if it still holds the value it read (models.registry).
    facts_version: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class ArticleFact(SQLModel, table=True):
    """One Art. 3 or Art. 4 fact: the article applies, an extension step, or a completion.

    A row with neither ``extended_deadline`` nor a completion says the article concerned the
    State (it held stockpiles, or had contaminated areas). Several rows may disagree: all stay
    on record with their sources, and the rules take the latest extension in force.
    """

    __tablename__ = "article_fact"

    id: int | None = Field(default=None, primary_key=True)
    iso3: str = Field(foreign_key="state.iso3", index=True, max_length=3)
    article: int = Field(ge=3, le=4)
    extended_deadline: dt.date | None = None
    extension_granted_at: str | None = None  # the meeting that granted it, e.g. "9MSP (2019)"
    completed_date: dt.date | None = None
    completed_period: str | None = None  # "YYYY" or "YYYY-MM" when only that is known
    hostilities_ended: dt.date | None = None  # Art. 4(1)(b)
    source: str = ""
    notes: str = ""
    recorded_at: dt.datetime | None = Field(default_factory=recorded_now)  # UTC


class ReportReceived(SQLModel, table=True):
    """An Art. 7 report the ISU received: the initial one, or the annual one for ``period``."""

    __tablename__ = "report_received"
    __table_args__ = (UniqueConstraint("iso3", "kind", "period", name="uq_report_state_kind_period"),)

    id: int | None = Field(default=None, primary_key=True)
    iso3: str = Field(foreign_key="state.iso3", index=True, max_length=3)
    kind: str = Field(max_length=16)  # initial | annual
    period: int = 0  # the calendar year an annual report covers; 0 for the initial report
    received_on: dt.date | None = None
    source: str = ""
    recorded_at: dt.datetime | None = Field(default_factory=recorded_now)  # UTC


class Obligation(SQLModel, table=True):
    """A computed obligation, upserted by its stable key. ``version`` grows when ``due`` moves."""

    __tablename__ = "obligation"

    key: str = Field(primary_key=True, max_length=128)
    state: str | None = Field(default=None, index=True, max_length=3)
    kind: str = Field(index=True, max_length=40)
    # the reporting year, the deadline an extension request is for, or an action item's slug
    period: str | None = Field(default=None, max_length=128)
    due: dt.date = Field(index=True)
    original_due: dt.date
    status: str = Field(max_length=16)  # as of the last scan
    met_on: dt.date | None = None
    version: int = 1
    note: str = ""
    scanned_on: dt.date | None = None
    theme: str | None = Field(default=None, max_length=40)  # owner theme of an action item
    # the convention (rules.treaties): the key's first part, CCM for the Committee's own
    treaty: str = Field(default="CCM", max_length=8, index=True,
                        sa_column_kwargs={"server_default": "CCM"})


class AuditEntry(SQLModel, table=True):
    """Append-only: who recorded what, when, from which source. Never updated or deleted."""

    __tablename__ = "audit_entry"

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(index=True)  # timezone-aware UTC
    actor: str = Field(max_length=120)
    action: str = Field(max_length=60)  # e.g. "report.recorded", "registry.imported"
    subject: str = Field(default="", max_length=128)  # e.g. "AFG"
    detail: str = Field(default="", sa_column=Column(String, nullable=False, default=""))
    source: str = ""


class TrackerSetting(SQLModel, table=True):
    """Values the tracker keeps about itself (e.g. ``tracking_since``)."""

    __tablename__ = "tracker_setting"

    name: str = Field(primary_key=True, max_length=64)
    value: str


class DataRevision(SQLModel, table=True):
    """One row: ``revision`` grows with every write of facts (see ``models.revision``)."""

    __tablename__ = "data_revision"

    id: int = Field(default=1, primary_key=True)
    revision: int = 0
    changed_at: dt.datetime | None = None  # UTC
