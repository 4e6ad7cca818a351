"""SQLModel tables (the facts, the obligations, the audit log), the engine and migrations.

Importing this package registers no table: a module imports the table modules it uses, and a
table module imports the modules of the tables its foreign keys name, so a read command
builds only the table classes it reads (each costs a few milliseconds of pydantic and
SQLAlchemy set-up; issue 13). ``all_tables()`` registers every table on ``SQLModel.metadata``:
Alembic (``models/migrations/env.py``) and the schema tests call it.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy import MetaData

# Every module that defines a table (`table=True`); tests/registry/test_table_modules.py
# checks that none is missing.
TABLE_MODULES = (
    "models.tables",
    "models.treaty_tables",
    "models.committee",
    "models.reminders",
    "models.subscriptions",
)


def all_tables() -> MetaData:
    """``SQLModel.metadata`` with every table of the tracker registered on it."""
    from sqlmodel import SQLModel

    for name in TABLE_MODULES:
        import_module(name)
    return SQLModel.metadata
