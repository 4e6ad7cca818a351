"""SQLModel tables (the facts, the obligations, the audit log), the engine and migrations."""

from models.tables import (
    ArticleFact,
    AuditEntry,
    Obligation,
    ReportReceived,
    State,
    TrackerSetting,
)

__all__ = ["ArticleFact", "AuditEntry", "Obligation", "ReportReceived", "State", "TrackerSetting"]
import models.committee  # noqa: F401  (issue 6: meetings, money, coordination tables)
