from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from flagcore.adapters.memory import MemoryGroupRepo, MemoryPersonRepo
from flagcore.adapters.sqlalchemy import SqlGroupRepo, SqlPersonRepo
from flagcore.ports.persons import GroupRepo, PersonRepo
from tests.contract.seed import seed_projects


@pytest.fixture
def memory_person_repo() -> PersonRepo:
    return MemoryPersonRepo()


@pytest.fixture
async def sqlite_person_repo(sqlite_sessions: async_sessionmaker[AsyncSession]) -> PersonRepo:
    await seed_projects(sqlite_sessions)
    return SqlPersonRepo(sqlite_sessions)


@pytest.fixture
async def postgres_person_repo(postgres_sessions: async_sessionmaker[AsyncSession]) -> PersonRepo:
    await seed_projects(postgres_sessions)
    return SqlPersonRepo(postgres_sessions)


@pytest.fixture
async def mariadb_person_repo(mariadb_sessions: async_sessionmaker[AsyncSession]) -> PersonRepo:
    await seed_projects(mariadb_sessions)
    return SqlPersonRepo(mariadb_sessions)


@pytest.fixture(
    params=[
        pytest.param("memory_person_repo", id="memory"),
        pytest.param("sqlite_person_repo", id="sql:sqlite"),
        pytest.param("postgres_person_repo", id="sql:postgres", marks=pytest.mark.postgres),
        pytest.param("mariadb_person_repo", id="sql:mariadb", marks=pytest.mark.mariadb),
    ]
)
def person_repo(request: pytest.FixtureRequest) -> PersonRepo:
    repo: PersonRepo = request.getfixturevalue(request.param)
    return repo


@pytest.fixture
def memory_group_repo() -> GroupRepo:
    return MemoryGroupRepo()


@pytest.fixture
async def sqlite_group_repo(sqlite_sessions: async_sessionmaker[AsyncSession]) -> GroupRepo:
    await seed_projects(sqlite_sessions)
    return SqlGroupRepo(sqlite_sessions)


@pytest.fixture
async def postgres_group_repo(postgres_sessions: async_sessionmaker[AsyncSession]) -> GroupRepo:
    await seed_projects(postgres_sessions)
    return SqlGroupRepo(postgres_sessions)


@pytest.fixture
async def mariadb_group_repo(mariadb_sessions: async_sessionmaker[AsyncSession]) -> GroupRepo:
    await seed_projects(mariadb_sessions)
    return SqlGroupRepo(mariadb_sessions)


@pytest.fixture(
    params=[
        pytest.param("memory_group_repo", id="memory"),
        pytest.param("sqlite_group_repo", id="sql:sqlite"),
        pytest.param("postgres_group_repo", id="sql:postgres", marks=pytest.mark.postgres),
        pytest.param("mariadb_group_repo", id="sql:mariadb", marks=pytest.mark.mariadb),
    ]
)
def group_repo(request: pytest.FixtureRequest) -> GroupRepo:
    repo: GroupRepo = request.getfixturevalue(request.param)
    return repo
