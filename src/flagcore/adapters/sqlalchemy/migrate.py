"""Schema migrations (Alembic), run programmatically: no ``alembic.ini`` is needed at runtime.

To write a new revision, point Alembic at a database migrated to head and let it compare with the ORM rows::

    from alembic import command
    from flagcore.adapters.sqlalchemy import alembic_config

    command.revision(alembic_config("sqlite+aiosqlite:///./flagcore.db"), "what changed", autogenerate=True)

then review the generated file: one migration set must serve SQLite (batch mode) and PostgreSQL.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Final

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection, make_url

from flagcore.adapters.sqlalchemy.engine import create_engine

MIGRATIONS_DIR: Final = Path(__file__).parent / "migrations"
#: advanced-alchemy's name for the table, so tools of that ecosystem find it.
VERSION_TABLE: Final = "alembic_versions"


def alembic_config(database_url: str) -> Config:
    """An Alembic configuration for flagcore's migrations against ``database_url``."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # ConfigParser interpolation would read a % of a URL-encoded password as a reference.
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


async def upgrade_database(database_url: str, revision: str = "head") -> None:
    """Migrate the database to ``revision``; already being there is a no-op. For callers inside an event loop."""
    _ensure_sqlite_directory(database_url)
    config = alembic_config(database_url)
    engine = create_engine(database_url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_upgrade, config, revision)
    finally:
        await engine.dispose()


def run_migrations(database_url: str) -> None:
    """Migrate the database to the latest schema (idempotent). Must not be called from a running event loop."""
    asyncio.run(upgrade_database(database_url))


def _upgrade(connection: Connection, config: Config, revision: str) -> None:
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


def _ensure_sqlite_directory(database_url: str) -> None:
    url = make_url(database_url)
    database = url.database
    if url.get_backend_name() != "sqlite" or not database or database == ":memory:" or database.startswith("file:"):
        return
    Path(database).parent.mkdir(parents=True, exist_ok=True)
