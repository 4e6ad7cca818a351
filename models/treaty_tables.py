"""The facts of conventions other than the CCM (the APMBC), one set of rows per treaty.

The CCM's facts keep their own tables (``state``, ``article_fact``, ``report_received``),
unchanged, so no CCM fact or key moves. Every other convention's facts live here, with the
same columns plus ``treaty`` (its code, ``rules.treaties``): a State has one row per treaty
it takes part in (``treaty_party``, keyed by treaty and ISO3), and its Art. 4/5 facts and
reports received under that treaty. The obligations of every treaty share the ``obligation``
table; their keys start with the treaty's code and ``obligation.treaty`` holds it.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKeyConstraint, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.tables import recorded_now


class TreatyParty(SQLModel, table=True):
    """One State's participation in one convention: same columns as ``state``."""

    __tablename__ = "treaty_party"

    treaty: str = Field(primary_key=True, max_length=8)
    iso3: str = Field(primary_key=True, min_length=3, max_length=3)
    name: str
    signature_date: dt.date | None = None
    deposit_date: dt.date | None = None
    instrument: str | None = None  # ratification | accession | acceptance | approval | succession
    provisional_application_date: dt.date | None = None
    withdrawal_effective_date: dt.date | None = None  # Art. 20
    source: str = ""
    notes: str = ""
    facts_version: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    recorded_at: dt.datetime | None = Field(default_factory=recorded_now)  # UTC


class TreatyArticleFact(SQLModel, table=True):
    """One deadline-article fact under a convention (APMBC Art. 4 or 5): the article applies,
    an extension step, or a completion; same columns as ``article_fact``."""

    __tablename__ = "treaty_article_fact"
    __table_args__ = (
        ForeignKeyConstraint(["treaty", "iso3"], ["treaty_party.treaty", "treaty_party.iso3"]),
    )

    id: int | None = Field(default=None, primary_key=True)
    treaty: str = Field(max_length=8, index=True)
    iso3: str = Field(max_length=3, index=True)
    article: int
    extended_deadline: dt.date | None = None
    extension_granted_at: str | None = None
    completed_date: dt.date | None = None
    completed_period: str | None = None
    hostilities_ended: dt.date | None = None
    source: str = ""
    notes: str = ""
    recorded_at: dt.datetime | None = Field(default_factory=recorded_now)  # UTC


class TreatyReportReceived(SQLModel, table=True):
    """A transparency report received under a convention: same columns as ``report_received``."""

    __tablename__ = "treaty_report_received"
    __table_args__ = (
        ForeignKeyConstraint(["treaty", "iso3"], ["treaty_party.treaty", "treaty_party.iso3"]),
        UniqueConstraint("treaty", "iso3", "kind", "period", name="uq_treaty_report"),
    )

    id: int | None = Field(default=None, primary_key=True)
    treaty: str = Field(max_length=8, index=True)
    iso3: str = Field(max_length=3, index=True)
    kind: str = Field(max_length=16)  # initial | annual
    period: int = 0
    received_on: dt.date | None = None
    source: str = ""
    recorded_at: dt.datetime | None = Field(default_factory=recorded_now)  # UTC
