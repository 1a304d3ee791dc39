"""Database errors are logged without the data they carry (issue 17).

Before: the logged cause of a 503 rendered the statement's parameters (a flag's name, filters and payloads), and a
PostgreSQL error message can quote the refused value. Now the engine hides parameters and the adapters chain a
summary (statement kind, driver error class and code) instead of the driver's error.
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any, cast

import pytest
import sqlalchemy as sa
from litestar import Request
from sqlalchemy import exc as sa_exc
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from flagcore.adapters.sqlalchemy import SqlFlagRepo, create_engine, create_sessionmaker
from flagcore.adapters.sqlalchemy._errors import backend_errors
from flagcore.app.http.errors import flagcore_error_handler
from flagcore.domain.errors import InvalidInputError
from flagcore.domain.flags import Filters
from flagcore.ports.errors import BackendUnavailableError
from tests.contract.flag_repo.builders import new_flag

SECRET = "secret-flag-data-4711"


def logged_text(caplog: pytest.LogCaptureFixture) -> str:
    """Every record as a handler would write it, tracebacks (and their chained causes) included."""
    formatter = logging.Formatter("%(levelname)s %(name)s %(message)s")
    return "\n".join(formatter.format(record) for record in caplog.records)


@pytest.fixture
def locked_sqlite(sqlite_template: Path, tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "locked.db"
    shutil.copyfile(sqlite_template, path)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    yield path
    holder.execute("ROLLBACK")
    holder.close()


@pytest.fixture
async def locked_sessions(locked_sqlite: Path) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(f"sqlite+aiosqlite:///{locked_sqlite}", sqlite_busy_timeout_ms=20)
    yield create_sessionmaker(engine)
    await engine.dispose()


class _Request:
    """What the error handler reads of a request: its app's state, the method and the route template."""

    method = "POST"
    scope: dict[str, Any] = {"path_template": "/api/projects/{project_id}/feature_flags"}  # noqa: RUF012

    def __init__(self) -> None:
        self.app = type("App", (), {"state": {}})()


async def test_a_503_is_logged_with_the_statement_kind_and_cause_but_no_flag_data(
    locked_sessions: async_sessionmaker[AsyncSession], caplog: pytest.LogCaptureFixture
) -> None:
    """Guards the outage log: the failed INSERT's parameters (name, payloads) must not reach the log."""
    flag = new_flag("checkout", name=SECRET, filters=Filters(payloads={"true": f'"{SECRET}"'}))
    with pytest.raises(BackendUnavailableError) as caught:
        await SqlFlagRepo(locked_sessions).create(flag)
    with caplog.at_level(logging.WARNING):
        response = flagcore_error_handler(cast("Request[Any, Any, Any]", _Request()), caught.value)
    assert response.status_code == 503
    text = logged_text(caplog)
    assert SECRET not in text
    assert "INSERT INTO feature_flags failed: OperationalError (SQLITE_BUSY): database is locked" in text
    assert "Traceback" not in text  # one line per outage (issue 16), not a traceback per request


async def test_a_forced_data_error_logs_no_parameter_value(caplog: pytest.LogCaptureFixture) -> None:
    """Guards the DataError path, even when the driver's message quotes the value (asyncpg does)."""
    orig = Exception(f"invalid input for query argument $1: '{SECRET}' (value out of range)")
    refused = sa_exc.DataError("UPDATE feature_flags SET name=$1 WHERE id=$2", {"name": SECRET}, orig)
    with caplog.at_level(logging.INFO), pytest.raises(InvalidInputError) as caught, backend_errors():
        raise refused
    text = logged_text(caplog)
    assert caplog.records, "the refusal is logged for the operator"
    assert SECRET not in text
    assert "UPDATE feature_flags failed: Exception" in text
    assert SECRET not in repr(caught.value.__cause__)


async def test_the_engine_never_renders_parameters(tmp_path: Path) -> None:
    """Guards ``hide_parameters``: whoever logs a raw SQLAlchemy error shows no bound value."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}")
    try:
        async with engine.connect() as connection:
            with pytest.raises(sa_exc.OperationalError) as caught:
                await connection.execute(sa.text("SELECT * FROM nowhere WHERE x = :v"), {"v": SECRET})
    finally:
        await engine.dispose()
    assert SECRET not in str(caught.value)
    assert "parameters hidden" in str(caught.value)


@pytest.mark.postgres
async def test_a_value_postgresql_refuses_is_a_400_and_logged_without_it(
    postgres_sessions: async_sessionmaker[AsyncSession], caplog: pytest.LogCaptureFixture
) -> None:
    """A real DataError: PostgreSQL text cannot hold NUL, and its message would show the offending bytes."""
    with caplog.at_level(logging.INFO), pytest.raises(InvalidInputError):
        await SqlFlagRepo(postgres_sessions).create(new_flag("nul", name=f"{SECRET}\x00"))
    text = logged_text(caplog)
    assert SECRET not in text
    assert "INSERT INTO feature_flags failed" in text
