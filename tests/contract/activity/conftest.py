from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from flagcore.adapters.memory import MemoryActivityLog
from flagcore.adapters.sqlalchemy import SqlActivityLog
from flagcore.ports.activity import ActivityLog


@pytest.fixture
def memory_activity_log() -> ActivityLog:
    return MemoryActivityLog()


@pytest.fixture
def sqlite_activity_log(sqlite_sessions: async_sessionmaker[AsyncSession]) -> ActivityLog:
    return SqlActivityLog(sqlite_sessions)


@pytest.fixture
def postgres_activity_log(postgres_sessions: async_sessionmaker[AsyncSession]) -> ActivityLog:
    return SqlActivityLog(postgres_sessions)


@pytest.fixture
def mariadb_activity_log(mariadb_sessions: async_sessionmaker[AsyncSession]) -> ActivityLog:
    return SqlActivityLog(mariadb_sessions)


@pytest.fixture(
    params=[
        pytest.param("memory_activity_log", id="memory"),
        pytest.param("sqlite_activity_log", id="sql:sqlite"),
        pytest.param("postgres_activity_log", id="sql:postgres", marks=pytest.mark.postgres),
        pytest.param("mariadb_activity_log", id="sql:mariadb", marks=pytest.mark.mariadb),
    ]
)
def activity_log(request: pytest.FixtureRequest) -> ActivityLog:
    found: ActivityLog = request.getfixturevalue(request.param)
    return found
