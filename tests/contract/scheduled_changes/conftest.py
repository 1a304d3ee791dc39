"""Scheduled change stores under one contract: memory, SQLite and PostgreSQL, with their units of work.

Projects ``PROJECT_ID`` and ``OTHER_PROJECT_ID`` exist in every backend (the SQL rows reference them).
"""

from __future__ import annotations

from typing import NamedTuple

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from flagcore.adapters.memory import MemoryUnitOfWorkFactory
from flagcore.adapters.sqlalchemy import SqlScheduledChangeRepo, SqlUnitOfWorkFactory
from flagcore.ports.scheduled_changes import ScheduledChangeRepo
from flagcore.ports.unit_of_work import UnitOfWorkFactory
from tests.contract.seed import seed_projects
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


@pytest.fixture(
    params=[
        pytest.param("memory_store", id="memory"),
        pytest.param("sqlite_store", id="sql:sqlite"),
        pytest.param("postgres_store", id="sql:postgres", marks=pytest.mark.postgres),
    ]
)
def store(request: pytest.FixtureRequest) -> Store:
    found: Store = request.getfixturevalue(request.param)
    return found
