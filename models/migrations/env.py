"""Alembic environment: reads the database URL from the tracker's Settings."""

from __future__ import annotations

from alembic import context

from models import all_tables
from models.db import get_engine
from settings import get_settings

config = context.config
target_metadata = all_tables()


def run_migrations_online() -> None:
    engine = config.attributes.get("engine") or get_engine(
        config.get_main_option("sqlalchemy.url") or get_settings().database_url
    )
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
