from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from flagcore.adapters.memory import MemoryHashKeyOverrideRepo
from flagcore.adapters.sqlalchemy import SqlHashKeyOverrideRepo
from flagcore.ports.hash_key_overrides import HashKeyOverrideRepo
from tests.contract.seed import seed_projects


@pytest.fixture
def memory_hash_key_override_repo() -> HashKeyOverrideRepo:
    return MemoryHashKeyOverrideRepo()


async def _sql_repo(sessions: async_sessionmaker[AsyncSession]) -> HashKeyOverrideRepo:
    await seed_projects(sessions)
    return SqlHashKeyOverrideRepo(sessions)


@pytest.fixture
async def sqlite_hash_key_override_repo(sqlite_sessions: async_sessionmaker[AsyncSession]) -> HashKeyOverrideRepo:
    return await _sql_repo(sqlite_sessions)


@pytest.fixture
async def postgres_hash_key_override_repo(
    postgres_sessions: async_sessionmaker[AsyncSession],
) -> HashKeyOverrideRepo:
    return await _sql_repo(postgres_sessions)


@pytest.fixture
async def mariadb_hash_key_override_repo(
    mariadb_sessions: async_sessionmaker[AsyncSession],
) -> HashKeyOverrideRepo:
    return await _sql_repo(mariadb_sessions)


@pytest.fixture(
    params=[
        pytest.param("memory_hash_key_override_repo", id="memory"),
        pytest.param("sqlite_hash_key_override_repo", id="sql:sqlite"),
        pytest.param("postgres_hash_key_override_repo", id="sql:postgres", marks=pytest.mark.postgres),
        pytest.param("mariadb_hash_key_override_repo", id="sql:mariadb", marks=pytest.mark.mariadb),
    ]
)
def hash_key_override_repo(request: pytest.FixtureRequest) -> HashKeyOverrideRepo:
    repo: HashKeyOverrideRepo = request.getfixturevalue(request.param)
    return repo
