"""Engines and session factories for SQLite (aiosqlite), PostgreSQL (asyncpg) and MySQL/MariaDB (asyncmy)."""

from __future__ import annotations

import logging
from typing import Final

from sqlalchemy import Connection, event
from sqlalchemy.engine import make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry

from flagcore.adapters.sqlalchemy.mysql_ddl import binary_collation_for
from flagcore.adapters.sqlalchemy.sqlite_file import create_private_database_file

#: How long a SQLite writer waits by default for the write lock before failing with "database is locked". Writers
#: of one process queue on a lock of their own first (see ``SqlUnitOfWorkFactory``), so this covers only writers
#: of other processes (several workers on one file): long, so that they queue instead of failing.
SQLITE_BUSY_TIMEOUT_MS: Final = 30_000
#: Execution option asking the SQLite ``BEGIN`` to take the write lock at once (``BEGIN IMMEDIATE``): a unit of work
#: then reads the state it validates against under the lock, and never fails to upgrade a read lock mid-way.
SQLITE_IMMEDIATE: Final = "flagcore_sqlite_immediate"
_POSTGRES_POOL_SIZE: Final = 10
_POSTGRES_MAX_OVERFLOW: Final = 10
#: Set on every MySQL/MariaDB session, whatever the server's defaults: strict mode makes a value that does not fit an
#: error (as on PostgreSQL) instead of a warning and a silently truncated or zeroed value.
MYSQL_SQL_MODE: Final = (
    "STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION"
)


def create_engine(url: str, *, sqlite_busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS, **kwargs: object) -> AsyncEngine:
    """An async engine for ``url`` (``sqlite+aiosqlite://...``, ``postgresql+asyncpg://...``, ``mysql+asyncmy://...``).

    SQLite connections get WAL, a busy timeout and foreign keys, and a new database file is created readable by its
    owner only; PostgreSQL and MySQL get a bounded, pre-pinged pool. MySQL sessions get utf8mb4, strict ``sql_mode``,
    UTC and READ COMMITTED, PostgreSQL's default isolation level, which the adapters' locking is written for (InnoDB's
    default REPEATABLE READ would also take gap locks). Errors never render statement parameters (flag data).
    ``kwargs`` go to ``create_async_engine`` and override these defaults.
    """
    parsed = make_url(url)
    kwargs = {"hide_parameters": True} | kwargs
    if parsed.get_backend_name() == "sqlite":
        create_private_database_file(parsed.database)
        engine = create_async_engine(parsed, **kwargs)
        _configure_sqlite(engine, sqlite_busy_timeout_ms)
        return engine
    options: dict[str, object] = {
        "pool_size": _POSTGRES_POOL_SIZE,
        "max_overflow": _POSTGRES_MAX_OVERFLOW,
        "pool_pre_ping": True,
        "pool_recycle": 1800,
    }
    if parsed.get_backend_name() == "mysql":
        options["isolation_level"] = "READ COMMITTED"
        options["connect_args"] = {"charset": parsed.query.get("charset", "utf8mb4")}
        engine = create_async_engine(parsed, **(options | kwargs))
        _configure_mysql(engine)
        return engine
    return create_async_engine(parsed, **(options | kwargs))


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions whose loaded objects stay readable after commit (an expired attribute would need I/O)."""
    return async_sessionmaker(engine, expire_on_commit=False)


def _configure_sqlite(engine: AsyncEngine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
        # Let SQLAlchemy emit BEGIN itself (below): the driver's implicit transactions start only at the first
        # write, so a read-then-count would not see one snapshot.
        dbapi_connection.isolation_level = None
        # SQLite's lower() folds ASCII only; Python's folds all of Unicode, like the memory adapter and PostgreSQL.
        dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get(SQLITE_IMMEDIATE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class _PrimaryKeyNameNote(logging.Filter):
    """Drops the server's note that a primary key's name is ignored (MySQL names every primary key PRIMARY).

    asyncmy logs each server warning of a statement; migrations name their primary keys for the other databases,
    and ``flagcore migrate`` would print one such line per table.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return "ignored for PRIMARY key" not in record.getMessage()


def _configure_mysql(engine: AsyncEngine) -> None:
    driver_log = logging.getLogger("asyncmy")
    if not any(isinstance(f, _PrimaryKeyNameNote) for f in driver_log.filters):
        driver_log.addFilter(_PrimaryKeyNameNote())

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("SELECT VERSION()")
        row = cursor.fetchone()
        version = str(row[0]) if row else ""
        # The connection's collation is that of literals and of computed strings (a JSON property cast to text):
        # exact and no-pad, like the columns (mysql_ddl), so that they compare as PostgreSQL compares text.
        collation = binary_collation_for(mariadb="MariaDB" in version)
        cursor.execute(
            f"SET NAMES utf8mb4 COLLATE {collation}, SESSION sql_mode = '{MYSQL_SQL_MODE}', time_zone = '+00:00'"
        )
        cursor.close()


def _unicode_lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value
