from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from flagcore.adapters.memory import MemoryFlagRepo
from flagcore.adapters.sqlalchemy import SqlFlagRepo
from flagcore.ports.flags import FlagRepo
from tests.contract.seed import seed_projects, seed_users


@pytest.fixture
def memory_flag_repo() -> FlagRepo:
    return MemoryFlagRepo()


async def _sql_flag_repo(sessions: async_sessionmaker[AsyncSession]) -> FlagRepo:
    await seed_projects(sessions)
    await seed_users(sessions)
    return SqlFlagRepo(sessions)


@pytest.fixture
async def sqlite_flag_repo(sqlite_sessions: async_sessionmaker[AsyncSession]) -> FlagRepo:
    return await _sql_flag_repo(sqlite_sessions)


@pytest.fixture
async def postgres_flag_repo(postgres_sessions: async_sessionmaker[AsyncSession]) -> FlagRepo:
    return await _sql_flag_repo(postgres_sessions)


@pytest.fixture
async def mariadb_flag_repo(mariadb_sessions: async_sessionmaker[AsyncSession]) -> FlagRepo:
    return await _sql_flag_repo(mariadb_sessions)


@pytest.fixture(
    params=[
        pytest.param("memory_flag_repo", id="memory"),
        pytest.param("sqlite_flag_repo", id="sql:sqlite"),
        pytest.param("postgres_flag_repo", id="sql:postgres", marks=pytest.mark.postgres),
        pytest.param("mariadb_flag_repo", id="sql:mariadb", marks=pytest.mark.mariadb),
    ]
)
def flag_repo(request: pytest.FixtureRequest) -> FlagRepo:
    repo: FlagRepo = request.getfixturevalue(request.param)
    return repo
