from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from flagcore.adapters.memory import MemoryGroupTypeRepo
from flagcore.adapters.sqlalchemy import SqlGroupTypeRepo
from flagcore.ports.groups import GroupTypeRepo
from tests.contract.seed import seed_projects


@pytest.fixture
def memory_group_type_repo() -> GroupTypeRepo:
    return MemoryGroupTypeRepo()


@pytest.fixture
async def sqlite_group_type_repo(sqlite_sessions: async_sessionmaker[AsyncSession]) -> GroupTypeRepo:
    await seed_projects(sqlite_sessions)
    return SqlGroupTypeRepo(sqlite_sessions)


@pytest.fixture
async def postgres_group_type_repo(postgres_sessions: async_sessionmaker[AsyncSession]) -> GroupTypeRepo:
    await seed_projects(postgres_sessions)
    return SqlGroupTypeRepo(postgres_sessions)


@pytest.fixture
async def mariadb_group_type_repo(mariadb_sessions: async_sessionmaker[AsyncSession]) -> GroupTypeRepo:
    await seed_projects(mariadb_sessions)
    return SqlGroupTypeRepo(mariadb_sessions)


@pytest.fixture(
    params=[
        pytest.param("memory_group_type_repo", id="memory"),
        pytest.param("sqlite_group_type_repo", id="sql:sqlite"),
        pytest.param("postgres_group_type_repo", id="sql:postgres", marks=pytest.mark.postgres),
        pytest.param("mariadb_group_type_repo", id="sql:mariadb", marks=pytest.mark.mariadb),
    ]
)
def group_type_repo(request: pytest.FixtureRequest) -> GroupTypeRepo:
    repo: GroupTypeRepo = request.getfixturevalue(request.param)
    return repo
