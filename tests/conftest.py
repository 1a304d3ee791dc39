"""Session-wide test infrastructure shared by every test package: PostgreSQL databases, Redis and S3 of this run.

``postgres_url`` is a migrated database for this pytest process (one per xdist worker), dropped at the end of the
session. ``clean_postgres_url`` empties its tables first. ``postgres_database`` creates further empty databases.
``mariadb_url``, ``clean_mariadb_url`` and ``mariadb_database`` are the same for MariaDB (or MySQL 8).
``redis_url`` is the loopback Redis and ``redis_key_prefix`` a prefix of keys no other test uses (deleted after the
test). ``s3_endpoint`` is moto's S3 server started in this process on a free loopback port, emptied before each test.
When PostgreSQL, MariaDB or Redis is unreachable these fixtures skip, except under ``CI=true``, where they fail.
"""

from __future__ import annotations

import asyncio
import logging
import os
import urllib.request
import uuid
from collections.abc import AsyncIterator, Callable, Iterator

import asyncmy  # type: ignore[import-untyped]
import asyncpg
import pytest
from moto.server import ThreadedMotoServer
from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy.engine import make_url

from flagcore.adapters.sqlalchemy import run_migrations
from flagcore.adapters.sqlalchemy.migrate import VERSION_TABLE
from flagcore.adapters.sqlalchemy.orm import Base

#: Where the test server lives; the role must be allowed to create databases.
POSTGRES_ADMIN_URL = os.environ.get("FLAGCORE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
#: The MariaDB (or MySQL 8) test server; the user must be allowed to create databases.
MARIADB_ADMIN_URL = os.environ.get("FLAGCORE_TEST_MARIADB_URL", "mysql://root@127.0.0.1:3306/test")
REDIS_URL = os.environ.get("FLAGCORE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
_CONNECT_TIMEOUT_S = 5.0


async def _admin(*statements: str) -> None:
    connection = await asyncpg.connect(POSTGRES_ADMIN_URL, timeout=_CONNECT_TIMEOUT_S)
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


def _unavailable(exc: BaseException) -> None:
    _skip_or_fail(f"PostgreSQL at {make_url(POSTGRES_ADMIN_URL).render_as_string()} is unreachable: {exc!r}")


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


async def _mariadb_admin(*statements: str, database: str | None = None) -> None:
    url = make_url(MARIADB_ADMIN_URL)
    connection = await asyncmy.connect(
        host=url.host or "127.0.0.1",
        port=url.port or 3306,
        user=url.username or "root",
        password=url.password or "",
        database=database or url.database,
        connect_timeout=_CONNECT_TIMEOUT_S,
        autocommit=True,
    )
    try:
        async with connection.cursor() as cursor:
            for statement in statements:
                await cursor.execute(statement)
    finally:
        connection.close()


@pytest.fixture(scope="session")
def mariadb_database() -> Iterator[Callable[[str], str]]:
    """A factory: ``mariadb_database("name")`` creates an empty database and returns its asyncmy URL."""
    created: list[str] = []
    prefix = f"flagcore_test_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{os.getpid()}"

    def create(name: str) -> str:
        database = f"{prefix}_{name}"
        try:
            asyncio.run(
                _mariadb_admin(
                    f"DROP DATABASE IF EXISTS `{database}`",
                    f"CREATE DATABASE `{database}` CHARACTER SET utf8mb4",
                )
            )
        except (OSError, TimeoutError, asyncmy.errors.Error) as exc:
            _skip_or_fail(f"MariaDB at {make_url(MARIADB_ADMIN_URL).render_as_string()} is unreachable: {exc!r}")
        created.append(database)
        return (
            make_url(MARIADB_ADMIN_URL)
            .set(drivername="mysql+asyncmy", database=database)
            .render_as_string(hide_password=False)
        )

    yield create
    if created:
        asyncio.run(_mariadb_admin(*(f"DROP DATABASE IF EXISTS `{name}`" for name in created)))


@pytest.fixture(scope="session")
def mariadb_url(mariadb_database: Callable[[str], str]) -> str:
    """This session's migrated MariaDB database (shared by the session's tests: see ``clean_mariadb_url``)."""
    url = mariadb_database("main")
    run_migrations(url)
    return url


@pytest.fixture
async def clean_mariadb_url(mariadb_url: str) -> str:
    """``mariadb_url`` with every table emptied and every auto-increment counter restarted."""
    await empty_mariadb(mariadb_url)
    return mariadb_url


async def empty_mariadb(mariadb_url: str) -> None:
    """Empty every table of the database and restart its auto-increment counters (the schema stays)."""
    tables = [table.name for table in Base.metadata.sorted_tables if table.name != VERSION_TABLE]
    # DELETE and a counter reset are much faster than TRUNCATE (which re-creates each table) on small tables.
    statements = ["SET FOREIGN_KEY_CHECKS = 0"]
    for table in tables:
        statements.append(f"DELETE FROM `{table}`")  # noqa: S608 - the ORM's table names
        if any(column.autoincrement is True for column in Base.metadata.tables[table].columns):
            statements.append(f"ALTER TABLE `{table}` AUTO_INCREMENT = 1")
    statements.append("SET FOREIGN_KEY_CHECKS = 1")
    await _mariadb_admin(*statements, database=make_url(mariadb_url).database)


def _skip_or_fail(message: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


async def _ping(url: str) -> None:
    client = Redis.from_url(url, socket_connect_timeout=_CONNECT_TIMEOUT_S, socket_timeout=_CONNECT_TIMEOUT_S)
    try:
        await client.ping()
    finally:
        await client.aclose()


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The test Redis (``FLAGCORE_TEST_REDIS_URL``); tests share it, so they keep to ``redis_key_prefix``."""
    try:
        asyncio.run(_ping(REDIS_URL))
    except (RedisError, OSError) as exc:
        _skip_or_fail(f"Redis at {REDIS_URL} is unreachable: {exc!r}")
    return REDIS_URL


@pytest.fixture
async def redis_key_prefix(redis_url: str) -> AsyncIterator[str]:
    """A key prefix no other test (or xdist worker, or run) uses; its keys are deleted after the test."""
    prefix = f"flagcore-test:{os.environ.get('PYTEST_XDIST_WORKER', 'main')}:{uuid.uuid4().hex}:"
    yield prefix
    client = Redis.from_url(redis_url)
    try:
        keys = [key async for key in client.scan_iter(match=f"{prefix}*", count=500)]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()


@pytest.fixture(scope="session")
def s3_server() -> Iterator[str]:
    """moto's S3 server in this process, on a free loopback port: ``host:port``."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one access-log line per request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"{host}:{port}"
    server.stop()


@pytest.fixture
def s3_endpoint(s3_server: str) -> str:
    """The S3 server, emptied of every bucket and object first."""
    request = urllib.request.Request(f"http://{s3_server}/moto-api/reset", method="POST")
    with urllib.request.urlopen(request, timeout=_CONNECT_TIMEOUT_S) as response:  # noqa: S310
        response.read()
    return s3_server
