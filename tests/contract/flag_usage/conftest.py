from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from flagcore.adapters.memory.flag_usage import MemoryFlagUsageRepo
from flagcore.adapters.sqlalchemy.flag_usage import SqlFlagUsageRepo
from flagcore.ports.flag_usage import FlagUsageRepo


@pytest.fixture
def memory_usage() -> FlagUsageRepo:
    return MemoryFlagUsageRepo()


@pytest.fixture
def sqlite_usage(sqlite_sessions: async_sessionmaker[AsyncSession]) -> FlagUsageRepo:
    return SqlFlagUsageRepo(sqlite_sessions)


@pytest.fixture
def postgres_usage(postgres_sessions: async_sessionmaker[AsyncSession]) -> FlagUsageRepo:
    return SqlFlagUsageRepo(postgres_sessions)


@pytest.fixture
def mariadb_usage(mariadb_sessions: async_sessionmaker[AsyncSession]) -> FlagUsageRepo:
    return SqlFlagUsageRepo(mariadb_sessions)


@pytest.fixture(
    params=[
        pytest.param("memory_usage", id="memory"),
        pytest.param("sqlite_usage", id="sql:sqlite"),
        pytest.param("postgres_usage", id="sql:postgres", marks=pytest.mark.postgres),
        pytest.param("mariadb_usage", id="sql:mariadb", marks=pytest.mark.mariadb),
    ]
)
def flag_usage(request: pytest.FixtureRequest) -> FlagUsageRepo:
    repo: FlagUsageRepo = request.getfixturevalue(request.param)
    return repo
