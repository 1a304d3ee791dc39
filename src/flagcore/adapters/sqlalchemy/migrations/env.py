"""Alembic environment of flagcore: one migration set for SQLite, PostgreSQL and MySQL/MariaDB.

``flagcore.adapters.sqlalchemy.migrate`` runs it programmatically and hands over an open connection in
``config.attributes["connection"]``. Without one (the ``alembic`` command line with a config naming
``sqlalchemy.url``) it opens its own async engine.
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from flagcore.adapters.sqlalchemy.engine import create_engine
from flagcore.adapters.sqlalchemy.migrate import VERSION_TABLE
from flagcore.adapters.sqlalchemy.mysql_ddl import include_in_comparison
from flagcore.adapters.sqlalchemy.orm import Base


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        version_table=VERSION_TABLE,
        # SQLite cannot ALTER most things: batch mode rebuilds the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        # What MySQL lacks is emulated with columns and indexes the ORM rows do not declare (mysql_ddl).
        include_object=include_in_comparison if connection.dialect.name == "mysql" else None,
    )


def _run(connection: Connection) -> None:
    _configure(connection)
    with context.begin_transaction():
        context.run_migrations()


async def _run_with_own_engine(url: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_run)
    finally:
        await engine.dispose()


def _main() -> None:
    url = context.config.get_main_option("sqlalchemy.url") or ""
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=Base.metadata, version_table=VERSION_TABLE, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    connection = context.config.attributes.get("connection")
    if connection is None:
        asyncio.run(_run_with_own_engine(url))
    else:
        _run(connection)


_main()
