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
from models.subscriptions import Subscription  # noqa: F401  (issue 5: feed subscriptions)
