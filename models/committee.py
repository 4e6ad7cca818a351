"""The Coordination Committee's tables: meetings, invoices, themes' coordinators and
targets, action items, outputs, and the shortfall figures the ISU reports.

Money is stored as integer centimes (exact on SQLite and PostgreSQL alike; SQLite has no
exact decimal type). Times are stored in UTC with the meeting's IANA timezone beside them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import BigInteger, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

import models.tables  # noqa: F401  (the `state` table that foreign keys here name)
from rules.money import chf


class Meeting(SQLModel, table=True):
    """A meeting, dated only as precisely as it is known (see ``rules.meetings``).

    ``date_precision`` is ``time`` (``start_at``/``end_at`` set, in UTC), ``day``
    (``start_date``/``end_date`` set: local days, the last one inclusive), ``month``
    (``month`` = "YYYY-MM") or ``tbd``. For ``time``, ``start_date``/``end_date`` hold the
    local days too. ``version`` grows when the meeting moves, changes venue or is cancelled
    (it is the iCalendar SEQUENCE).
    """

    __tablename__ = "meeting"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=64, unique=True, index=True)
    title: str
    # the convention whose meeting it is (rules.treaties code)
    treaty: str = Field(default="CCM", max_length=8, index=True,
                        sa_column_kwargs={"server_default": "CCM"})
    kind: str = Field(max_length=32, index=True)
    date_precision: str = Field(max_length=8)
    start_at: dt.datetime | None = None
    end_at: dt.datetime | None = None
    start_date: dt.date | None = Field(default=None, index=True)
    end_date: dt.date | None = None
    month: str | None = Field(default=None, max_length=7)
    timezone: str = Field(default="Europe/Zurich", max_length=64)
    venue: str = ""
    organiser: str = ""
    status: str = Field(default="scheduled", max_length=16)  # scheduled | cancelled
    version: int = 1
    source: str = ""
    notes: str = ""

    @property
    def uid(self) -> str:
        """The meeting's iCalendar UID (before ``@ccm-tracker``): ``<TREATY>:MEETING:<slug>``,
        so a CCM meeting's stays ``CCM:MEETING:7msp`` and an APMBC one's is
        ``APMBC:MEETING:22msp`` (slugs are unique across conventions)."""
        return f"{self.treaty or 'CCM'}:MEETING:{self.slug}"

    @property
    def start(self) -> dt.datetime | None:
        """Start on the meeting's own clock (aware), when the time is known."""
        return self.start_at.astimezone(ZoneInfo(self.timezone)) if self.start_at else None

    @property
    def end(self) -> dt.datetime | None:
        return self.end_at.astimezone(ZoneInfo(self.timezone)) if self.end_at else None


class Invoice(SQLModel, table=True):
    """An invoice to one State: its ISU contribution, or its share of a meeting's costs."""

    __tablename__ = "invoice"

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=24, unique=True, index=True)
    # a State party to (or in the registry of) the convention billed: the CCM's ``state`` or
    # the APMBC's ``treaty_party``, checked by models.money.issue_invoice (no foreign key:
    # it could name only one of the two tables; revision 0014)
    iso3: str = Field(index=True, max_length=3)
    kind: str = Field(max_length=24)  # isu_contribution | meeting_costs
    # the convention billed: its ISU's contribution, or the costs of one of its meetings
    treaty: str = Field(default="CCM", max_length=8, index=True,
                        sa_column_kwargs={"server_default": "CCM"})
    amount_centimes: int = Field(sa_column=Column(BigInteger, nullable=False))
    issued_on: dt.date
    paid_on: dt.date | None = None
    meeting_id: int | None = Field(default=None, foreign_key="meeting.id")
    illustrative: bool = False  # an example, not a real invoice (the demo's)
    source: str = ""
    notes: str = ""

    @property
    def amount(self) -> Decimal:
        return chf(self.amount_centimes)


class ThemeCoordinator(SQLModel, table=True):
    __tablename__ = "theme_coordinator"
    __table_args__ = (UniqueConstraint("theme", "iso3", name="uq_coordinator_theme_state"),)

    id: int | None = Field(default=None, primary_key=True)
    theme: str = Field(max_length=32, index=True)
    iso3: str = Field(foreign_key="state.iso3", max_length=3)
    source: str = ""


class TargetState(SQLModel, table=True):
    """A State a theme reaches out to. Not necessarily a party (universalization targets
    are States not party), so ``iso3`` is checked against ISO 3166, not the registry."""

    __tablename__ = "target_state"
    __table_args__ = (
        UniqueConstraint("treaty", "theme", "iso3", name="uq_target_treaty_theme_state"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # the convention the outreach is under (a CCM universalization target may be an APMBC party)
    treaty: str = Field(default="CCM", max_length=8, index=True,
                        sa_column_kwargs={"server_default": "CCM"})
    theme: str = Field(max_length=32, index=True)
    iso3: str = Field(max_length=3, index=True)
    name: str = ""
    ask: str = ""  # what the theme asks of this State (the theme's default when empty)
    source: str = ""


class ActionItem(SQLModel, table=True):
    __tablename__ = "action_item"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=64, unique=True, index=True)
    title: str
    owner_theme: str = Field(max_length=32, index=True)
    owner: str = ""  # who carries it, in words ("Italy", "the Presidency", "ISU")
    due: dt.date | None = None
    status: str = Field(default="open", max_length=8)  # open | done | dropped
    closed_on: dt.date | None = None
    source: str = ""
    notes: str = ""


class ActionItemTarget(SQLModel, table=True):
    __tablename__ = "action_item_target"

    action_item_id: int = Field(foreign_key="action_item.id", primary_key=True)
    iso3: str = Field(max_length=3, primary_key=True)


class Output(SQLModel, table=True):
    """A measurable output of a theme's plan: ``target_count`` States by ``deadline``."""

    __tablename__ = "output"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=64, unique=True, index=True)
    theme: str = Field(max_length=32)
    text: str
    target_count: int
    deadline: dt.date | None = None
    source: str = ""


class OutputResponse(SQLModel, table=True):
    __tablename__ = "output_response"
    __table_args__ = (UniqueConstraint("output_id", "iso3", name="uq_output_response_state"),)

    id: int | None = Field(default=None, primary_key=True)
    output_id: int = Field(foreign_key="output.id", index=True)
    iso3: str = Field(max_length=3)
    responded_on: dt.date
    source: str = ""


class ReportedShortfall(SQLModel, table=True):
    """A shortfall figure as someone reported it (not computed from invoices)."""

    __tablename__ = "reported_shortfall"
    __table_args__ = (UniqueConstraint("reported_on", "reported_by", name="uq_shortfall_report"),)

    id: int | None = Field(default=None, primary_key=True)
    reported_on: dt.date
    reported_by: str = Field(max_length=64)
    amount_centimes: int = Field(sa_column=Column(BigInteger, nullable=False))
    previously: str = ""  # the earlier figure in the source's words ("just over CHF 100,000")
    letters_sent: int | None = None
    source: str = ""

    @property
    def amount(self) -> Decimal:
        return chf(self.amount_centimes)
