"""SQLModel tables (the facts, the obligations, the audit log), the engine and migrations.

Importing this package registers every table on ``SQLModel.metadata`` (Alembic reads it).
"""

import models.committee  # noqa: F401  (meetings, money, coordination)
from models.reminders import Acknowledgement, Recipient, Reminder
from models.subscriptions import Subscription
from models.tables import (
    ArticleFact,
    AuditEntry,
    DataRevision,
    Obligation,
    ReportReceived,
    State,
    TrackerSetting,
)
from models.treaty_tables import TreatyArticleFact, TreatyParty, TreatyReportReceived

__all__ = [
    "Acknowledgement",
    "ArticleFact",
    "AuditEntry",
    "DataRevision",
    "Obligation",
    "Recipient",
    "Reminder",
    "ReportReceived",
    "State",
    "Subscription",
    "TrackerSetting",
    "TreatyArticleFact",
    "TreatyParty",
    "TreatyReportReceived",
]
