"""Session-wide test infrastructure shared by every test package: PostgreSQL databases of this test run.

``postgres_url`` is a migrated database for this pytest process (one per xdist worker), dropped at the end of the
session. ``clean_postgres_url`` empties its tables first. ``postgres_database`` creates further empty databases.
When the server is unreachable these fixtures skip, except under ``CI=true``, where they fail.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Iterator

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from flagcore.adapters.sqlalchemy import run_migrations
from flagcore.adapters.sqlalchemy.migrate import VERSION_TABLE
from flagcore.adapters.sqlalchemy.orm import Base

#: Where the test server lives; the role must be allowed to create databases.
POSTGRES_ADMIN_URL = os.environ.get("FLAGCORE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
_CONNECT_TIMEOUT_S = 5.0


async def _admin(*statements: str) -> None:
    connection = await asyncpg.connect(POSTGRES_ADMIN_URL, timeout=_CONNECT_TIMEOUT_S)
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


def _unavailable(exc: BaseException) -> None:
    message = f"PostgreSQL at {make_url(POSTGRES_ADMIN_URL).render_as_string()} is unreachable: {exc!r}"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[Callable[[str], str]]:
    """A factory: ``postgres_database("name")`` creates an empty database and returns its asyncpg URL."""
    created: list[str] = []
    # Unique per xdist worker and per process, so parallel runs on one server never share a database.
    prefix = f"flagcore_test_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{os.getpid()}"

    def create(name: str) -> str:
        database = f"{prefix}_{name}"
        try:
            asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{database}"', f'CREATE DATABASE "{database}"'))
        except (OSError, TimeoutError, asyncpg.PostgresError) as exc:
            _unavailable(exc)
        created.append(database)
        return (
            make_url(POSTGRES_ADMIN_URL)
            .set(drivername="postgresql+asyncpg", database=database)
            .render_as_string(hide_password=False)
        )

    yield create
    if created:
        asyncio.run(_admin(*(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)' for name in created)))


@pytest.fixture(scope="session")
def postgres_url(postgres_database: Callable[[str], str]) -> str:
    """This session's migrated database (shared by the session's tests: clean it, see ``clean_postgres_url``)."""
    url = postgres_database("main")
    run_migrations(url)
    return url


@pytest.fixture
async def clean_postgres_url(postgres_url: str) -> str:
    """``postgres_url`` with every table emptied and every id sequence restarted."""
    await empty_postgres(postgres_url)
    return postgres_url


async def empty_postgres(postgres_url: str) -> None:
    """Empty every table of the database and restart its id sequences (the schema stays)."""
    tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables if table.name != VERSION_TABLE)
    dsn = make_url(postgres_url).set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(dsn, timeout=_CONNECT_TIMEOUT_S)
    try:
        await connection.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    finally:
        await connection.close()
