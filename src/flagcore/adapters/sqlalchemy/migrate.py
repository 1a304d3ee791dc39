"""Schema migrations (Alembic), run programmatically: no ``alembic.ini`` is needed at runtime.

To write a new revision, point Alembic at a database migrated to head and let it compare with the ORM rows::

    from alembic import command
    from flagcore.adapters.sqlalchemy import alembic_config

    command.revision(alembic_config("sqlite+aiosqlite:///./flagcore.db"), "what changed", autogenerate=True)

then review the generated file: one migration set must serve SQLite (batch mode) and PostgreSQL.
"""

from __future__ import annotations

import asyncio
import functools
from pathlib import Path
from typing import Final, NamedTuple

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from flagcore.adapters.sqlalchemy._errors import backend_errors
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


class MigrationReport(NamedTuple):
    """What ``upgrade_database`` did.

    Attributes:
        applied: the migrations applied, oldest first, by file name (``0002_hash_key_overrides``).
        revision: the database's revision afterwards (``None``: an empty database and nothing to apply).
        newer: the database was at a revision this version does not know (a newer flagcore migrated it), so
            nothing was applied: migrations are additive, this version runs on that schema.
    """

    applied: tuple[str, ...]
    revision: str | None
    newer: bool = False


def head_revision() -> str:
    """The revision the code of this version needs (the newest migration)."""
    head = _scripts().get_current_head()
    if head is None:  # pragma: no cover - the package always ships its migrations
        raise RuntimeError("no migrations found")
    return head


def known_revisions() -> frozenset[str]:
    """Every revision of this version's migrations."""
    return frozenset(script.revision for script in _scripts().walk_revisions())


async def current_revision(engine: AsyncEngine) -> str | None:
    """The database's revision, one cheap query (``None``: migrated to nothing yet).

    Raises:
        BackendUnavailableError: the database cannot be reached, or has no version table (never migrated).
    """
    with backend_errors():
        async with engine.connect() as connection:
            revision: str | None = (await connection.execute(_VERSION_QUERY)).scalar()
            return revision


async def upgrade_database(database_url: str, revision: str = "head") -> MigrationReport:
    """Migrate the database to ``revision``; already being there is a no-op. For callers inside an event loop.

    Raises:
        BackendUnavailableError: the database cannot be reached or used (``reason`` says why).
    """
    _ensure_sqlite_directory(database_url)
    config = alembic_config(database_url)
    engine = create_engine(database_url)
    try:
        with backend_errors():
            async with engine.begin() as connection:
                return await connection.run_sync(_upgrade, config, revision)
    finally:
        await engine.dispose()


def run_migrations(database_url: str) -> MigrationReport:
    """Migrate the database to the latest schema (idempotent). Must not be called from a running event loop."""
    return asyncio.run(upgrade_database(database_url))


_VERSION_QUERY: Final = sa.text(f"SELECT version_num FROM {VERSION_TABLE}")  # noqa: S608 - a constant name


@functools.cache
def _scripts() -> ScriptDirectory:
    return ScriptDirectory(str(MIGRATIONS_DIR))


def _upgrade(connection: Connection, config: Config, revision: str) -> MigrationReport:
    def current() -> str | None:
        return MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE}).get_current_revision()

    before = current()
    if before is not None and before not in known_revisions():
        return MigrationReport(applied=(), revision=before, newer=True)
    config.attributes["connection"] = connection
    command.upgrade(config, revision)
    after = current()
    scripts = _scripts()
    applied = [] if after == before else list(scripts.iterate_revisions(after, before or "base"))
    return MigrationReport(applied=tuple(Path(s.path).stem for s in reversed(applied)), revision=after)


def _ensure_sqlite_directory(database_url: str) -> None:
    url = make_url(database_url)
    database = url.database
    if url.get_backend_name() != "sqlite" or not database or database == ":memory:" or database.startswith("file:"):
        return
    Path(database).parent.mkdir(parents=True, exist_ok=True)
