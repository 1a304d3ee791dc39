"""A database that cannot serve answers 503 with PostHog's body and one log line, and ``/_ready`` says why."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy.engine import make_url

from flagcore.adapters.sqlalchemy import upgrade_database
from flagcore.app.main import create_app
from flagcore.app.settings import Settings
from tests.conftest import POSTGRES_ADMIN_URL

SERVICE_UNAVAILABLE = {"type": "server_error", "code": "service_unavailable"}
MANAGEMENT = "/api/projects/@current/feature_flags/"


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def warnings(self) -> list[logging.LogRecord]:
        return [r for r in self.records if r.levelno >= logging.WARNING and r.name.startswith("flagcore")]


@pytest.fixture
def lines() -> Iterator[Lines]:
    handler = Lines()
    logger = logging.getLogger("flagcore")
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)


async def _client(url: str) -> AsyncIterator[AsyncTestClient[Any]]:
    async with AsyncTestClient(create_app(settings=Settings(database_url=url))) as client:
        yield client


def _unavailable(response: Any) -> None:
    assert response.status_code == 503, response.text
    body = response.json()
    assert set(body) == {"type", "code", "detail", "attr"}
    assert {key: body[key] for key in SERVICE_UNAVAILABLE} == SERVICE_UNAVAILABLE


async def _assert_cannot_serve(url: str, lines: Lines, *, cause: str, ready_detail: str) -> None:
    async for client in _client(url):
        for _ in range(3):
            _unavailable(await client.post("/flags?v=2", json={"api_key": "phc_unknown", "distinct_id": "u"}))
            _unavailable(await client.get(MANAGEMENT, headers={"Authorization": "Bearer phx_unknown"}))
        ready = await client.get("/_ready")
        assert ready.status_code == 503
        assert ready.json()["status"] == "not_ready"
        assert ready.json()["database"]["detail"] == ready_detail
        health = await client.get("/_health")
        assert health.status_code == 200  # liveness does not depend on the database
    outage = [r for r in lines.warnings() if r.getMessage().startswith("backend unavailable")]
    # Six failed requests, one cause: one line, with the cause and no traceback.
    assert len(outage) == 1, [r.getMessage() for r in outage]
    assert cause in outage[0].getMessage()
    assert outage[0].exc_info is None
    assert all(r.exc_info is None for r in lines.warnings())


def _postgres(database: str) -> str:
    return make_url(POSTGRES_ADMIN_URL).set(drivername="postgresql+asyncpg", database=database).render_as_string(False)


@pytest.mark.postgres
async def test_unknown_postgres_database_is_503_not_500(lines: Lines, postgres_url: str) -> None:
    del postgres_url  # skips when PostgreSQL is not there
    name = f"flagcore_missing_{uuid.uuid4().hex[:8]}"
    await _assert_cannot_serve(
        _postgres(name), lines, cause=f'database "{name}" does not exist', ready_detail="the database does not exist"
    )


@pytest.mark.postgres
async def test_postgres_authentication_failure_is_503(lines: Lines, postgres_url: str) -> None:
    url = make_url(postgres_url).set(username="flagcore_no_such_role", password="wrong")
    await _assert_cannot_serve(
        url.render_as_string(hide_password=False),
        lines,
        cause="database authentication failed",
        ready_detail="the database refused the credentials",
    )


@pytest.fixture
def unmigrated_postgres_url(postgres_database: Callable[[str], str]) -> str:
    # A sync fixture: the factory runs its own event loop.
    return postgres_database("unmigrated")


@pytest.mark.postgres
async def test_postgres_without_schema_is_503(lines: Lines, unmigrated_postgres_url: str) -> None:
    await _assert_cannot_serve(
        unmigrated_postgres_url,
        lines,
        cause="database schema missing or outdated",
        ready_detail="the database is not migrated: run `flagcore migrate`",
    )


async def test_sqlite_without_schema_is_503(lines: Lines, tmp_path: Path) -> None:
    await _assert_cannot_serve(
        f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}",
        lines,
        cause="no such table",
        ready_detail="the database is not migrated: run `flagcore migrate`",
    )


async def test_unreadable_sqlite_file_is_503(lines: Lines, tmp_path: Path) -> None:
    await _assert_cannot_serve(
        f"sqlite+aiosqlite:///{tmp_path / 'no-such-dir' / 'flagcore.db'}",
        lines,
        cause="cannot open the SQLite database file",
        ready_detail="the SQLite database file cannot be opened",
    )


async def test_unreachable_database_is_503(lines: Lines) -> None:
    # Nothing listens on port 1 of loopback: refused at once.
    await _assert_cannot_serve(
        "postgresql+asyncpg://postgres@127.0.0.1:1/flagcore",
        lines,
        cause="cannot reach the database",
        ready_detail="the database cannot be reached",
    )


async def test_ready_is_503_on_a_database_behind_this_version(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
    await upgrade_database(url, "0002")
    async for client in _client(url):
        ready = await client.get("/_ready")
        assert ready.status_code == 503
        database = ready.json()["database"]
        assert database["revision"] == "0002"
        assert database["detail"] == f"at 0002, this version needs {database['head']}: run `flagcore migrate`"
        await upgrade_database(url)
        await _expire_probe(client)
        assert (await client.get("/_ready")).status_code == 200


async def _expire_probe(client: AsyncTestClient[Any]) -> None:
    from flagcore.ports.readiness import DatabaseProbe  # noqa: PLC0415

    probe = await client.app.state.dishka_container.get(DatabaseProbe)
    probe._last = None  # the failure would be reused for a second


async def test_unreachable_mysql_database_is_503(lines: Lines) -> None:
    await _assert_cannot_serve(
        "mysql+asyncmy://root@127.0.0.1:1/flagcore",
        lines,
        cause="cannot reach the database",
        ready_detail="the database cannot be reached",
    )


@pytest.mark.mariadb
async def test_unknown_mariadb_database_is_503_not_500(lines: Lines, mariadb_url: str) -> None:
    name = f"flagcore_missing_{uuid.uuid4().hex[:8]}"
    url = make_url(mariadb_url).set(database=name).render_as_string(hide_password=False)
    await _assert_cannot_serve(
        url, lines, cause=f"Unknown database '{name}'", ready_detail="the database does not exist"
    )


@pytest.mark.mariadb
async def test_mariadb_authentication_failure_is_503(lines: Lines, mariadb_url: str) -> None:
    url = make_url(mariadb_url).set(username="flagcore_no_such_user", password="wrong")
    await _assert_cannot_serve(
        url.render_as_string(hide_password=False),
        lines,
        cause="database authentication failed",
        ready_detail="the database refused the credentials",
    )


@pytest.fixture
def unmigrated_mariadb_url(mariadb_database: Callable[[str], str]) -> str:
    return mariadb_database("unmigrated")


@pytest.mark.mariadb
async def test_mariadb_without_schema_is_503(lines: Lines, unmigrated_mariadb_url: str) -> None:
    await _assert_cannot_serve(
        unmigrated_mariadb_url,
        lines,
        cause="database schema missing or outdated",
        ready_detail="the database is not migrated: run `flagcore migrate`",
    )
