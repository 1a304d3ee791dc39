"""Scheduled change stores under one contract: memory, SQLite, PostgreSQL and MariaDB, with their units of work.

Projects ``PROJECT_ID`` and ``OTHER_PROJECT_ID`` exist in every backend (the SQL rows reference them).
"""

from __future__ import annotations

from typing import NamedTuple

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from flagcore.adapters.memory import FixedClock, MemoryUnitOfWorkFactory
from flagcore.adapters.sqlalchemy import (
    SqlActivityLog,
    SqlFlagRepo,
    SqlGroupTypeRepo,
    SqlProjectRepo,
    SqlScheduledChangeRepo,
    SqlUnitOfWorkFactory,
)
from flagcore.domain.identity import Organization
from flagcore.ports.scheduled_changes import ScheduledChangeRepo
from flagcore.ports.unit_of_work import UnitOfWorkFactory
from tests.contract.scheduled_changes.runners import NOW, Runner
from tests.contract.seed import ORG_ID, PROJECT_ID, SEEDED_AT, seed_projects, seed_users
from tests.memory_stack import memory_stores


class Store(NamedTuple):
    """Transactions, and the repository of the same store seen outside any transaction."""

    transactions: UnitOfWorkFactory
    changes: ScheduledChangeRepo


@pytest.fixture
def memory_store() -> Store:
    stores = memory_stores()
    return Store(MemoryUnitOfWorkFactory(stores), stores.scheduled_changes)


async def _sql_store(sessions: async_sessionmaker[AsyncSession]) -> Store:
    await seed_projects(sessions)
    return Store(SqlUnitOfWorkFactory(sessions), SqlScheduledChangeRepo(sessions))


@pytest.fixture
async def sqlite_store(sqlite_sessions: async_sessionmaker[AsyncSession]) -> Store:
    return await _sql_store(sqlite_sessions)


@pytest.fixture
async def postgres_store(postgres_sessions: async_sessionmaker[AsyncSession]) -> Store:
    return await _sql_store(postgres_sessions)


@pytest.fixture
async def mariadb_store(mariadb_sessions: async_sessionmaker[AsyncSession]) -> Store:
    return await _sql_store(mariadb_sessions)


@pytest.fixture(
    params=[
        pytest.param("memory_store", id="memory"),
        pytest.param("sqlite_store", id="sql:sqlite"),
        pytest.param("postgres_store", id="sql:postgres", marks=pytest.mark.postgres),
        pytest.param("mariadb_store", id="sql:mariadb", marks=pytest.mark.mariadb),
    ]
)
def store(request: pytest.FixtureRequest) -> Store:
    found: Store = request.getfixturevalue(request.param)
    return found


@pytest.fixture
async def memory_runner() -> Runner:
    stores = memory_stores()
    await stores.organizations.create(Organization(id=ORG_ID, name="Seed org", created_at=SEEDED_AT))
    project = await stores.projects.create(
        organization_id=ORG_ID, name="p", api_token="phc_seed_1", timezone="UTC", created_at=SEEDED_AT
    )
    assert project.id == PROJECT_ID
    return Runner(
        MemoryUnitOfWorkFactory(stores),
        stores.flags,
        stores.group_types,
        stores.projects,
        stores.activity,
        stores.scheduled_changes,
        FixedClock(NOW),
    )


async def _sql_runner(sessions: async_sessionmaker[AsyncSession]) -> Runner:
    await seed_projects(sessions)
    await seed_users(sessions)
    return Runner(
        SqlUnitOfWorkFactory(sessions),
        SqlFlagRepo(sessions),
        SqlGroupTypeRepo(sessions),
        SqlProjectRepo(sessions),
        SqlActivityLog(sessions),
        SqlScheduledChangeRepo(sessions),
        FixedClock(NOW),
    )


@pytest.fixture
async def sqlite_runner(sqlite_sessions: async_sessionmaker[AsyncSession]) -> Runner:
    return await _sql_runner(sqlite_sessions)


@pytest.fixture
async def postgres_runner(postgres_sessions: async_sessionmaker[AsyncSession]) -> Runner:
    return await _sql_runner(postgres_sessions)


@pytest.fixture
async def mariadb_runner(mariadb_sessions: async_sessionmaker[AsyncSession]) -> Runner:
    return await _sql_runner(mariadb_sessions)


@pytest.fixture(
    params=[
        pytest.param("memory_runner", id="memory"),
        pytest.param("sqlite_runner", id="sql:sqlite"),
        pytest.param("postgres_runner", id="sql:postgres", marks=pytest.mark.postgres),
        pytest.param("mariadb_runner", id="sql:mariadb", marks=pytest.mark.mariadb),
    ]
)
def runner(request: pytest.FixtureRequest) -> Runner:
    found: Runner = request.getfixturevalue(request.param)
    return found
