"""SQLModel tables (the facts, the obligations, the audit log), the engine and migrations."""

from models.reminders import Acknowledgement, Recipient, Reminder  # noqa: F401
from models.tables import (
    ArticleFact,
    AuditEntry,
    Obligation,
    ReportReceived,
    State,
    TrackerSetting,
)

__all__ = ["ArticleFact", "AuditEntry", "Obligation", "ReportReceived", "State", "TrackerSetting"]
