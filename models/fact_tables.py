"""Where one convention's facts are stored: the one answer the writer (``models.registry``)
and the importer (``models.importer``) share.

The CCM's facts keep their own tables (``state``, ``article_fact``, ``report_received``);
every other convention's (the APMBC's) live in the ``treaty_*`` tables with a ``treaty``
column (``models.treaty_tables``). ``FactTables`` hides the difference: which table holds
a State's participation, its Art. 3/4 (APMBC 4/5) facts and its reports; how to select one
treaty's rows and make a new one; the name of its reports register.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_
from sqlmodel import Session, select

from models.tables import ArticleFact, ReportReceived, State
from models.treaty_tables import TreatyArticleFact, TreatyParty, TreatyReportReceived
from rules.obligations import REPORTS_REGISTER
from rules.treaties import CCM, Treaty


@dataclass(frozen=True)
class FactTables:
    """One convention's fact tables (see the module's docstring)."""

    treaty: Treaty

    @property
    def ccm(self) -> bool:
        return self.treaty is CCM

    @property
    def party(self) -> Any:
        """``State`` (CCM) or ``TreatyParty``: the same columns (iso3, name, dates, facts_version)."""
        return State if self.ccm else TreatyParty

    @property
    def article(self) -> Any:
        return ArticleFact if self.ccm else TreatyArticleFact

    @property
    def report(self) -> Any:
        return ReportReceived if self.ccm else TreatyReportReceived

    @property
    def reports_register(self) -> str:
        """The register name in ``models.tracking`` (``reports``; ``APMBC:reports``)."""
        return REPORTS_REGISTER if self.ccm else f"{self.treaty.code}:{REPORTS_REGISTER}"

    def rows(self, table: Any) -> Any:
        """``select(table)``, only this treaty's rows."""
        query = select(table)
        return query if self.ccm else query.where(table.treaty == self.treaty.code)

    def new(self, table: Any, **values: Any) -> Any:
        """A new row of ``table`` under this treaty."""
        return table(**values) if self.ccm else table(treaty=self.treaty.code, **values)

    def party_is(self, iso3: str) -> Any:
        """The WHERE clause selecting the participation row of ``iso3``."""
        if self.ccm:
            return State.iso3 == iso3
        return and_(TreatyParty.treaty == self.treaty.code, TreatyParty.iso3 == iso3)  # type: ignore[arg-type]

    def party_row(self, session: Session, iso3: str) -> Any:
        """The State's participation row (None when the treaty's registry does not hold it)."""
        if self.ccm:
            return session.get(State, iso3)
        return session.get(TreatyParty, (self.treaty.code, iso3))

    def audit_detail(self) -> dict[str, str]:
        """What an audit row adds to say which treaty: nothing for the CCM (rows on record
        keep their form), ``{"treaty": "APMBC"}`` otherwise."""
        return {} if self.ccm else {"treaty": self.treaty.code}

    def facts_command(self, iso3: str) -> str:
        """The command that shows the State's facts under this treaty."""
        return f"ccm-tracker facts {iso3}" if self.ccm else (
            f"ccm-tracker facts --treaty {self.treaty.code.lower()} {iso3}")


def fact_tables(treaty: Treaty = CCM) -> FactTables:
    return FactTables(treaty)
