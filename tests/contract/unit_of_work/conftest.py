"""Units of work under one contract: memory, SQLite, PostgreSQL and MariaDB, with the repositories readers use outside.

Projects ``PROJECT_ID`` and ``OTHER_PROJECT_ID`` exist in every backend.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from flagcore.adapters.memory import MemoryUnitOfWorkFactory
from flagcore.adapters.sqlalchemy import SqlActivityLog, SqlFlagRepo, SqlProjectRepo, SqlUnitOfWorkFactory
from flagcore.adapters.sqlalchemy.orm import ActivityRow
from flagcore.adapters.sqlalchemy.quota import SqlQuotaLimitRepo
from flagcore.domain.identity import Organization
from flagcore.testing.contracts.unit_of_work import Backend
from tests.contract.seed import ORG_ID, OTHER_PROJECT_ID, PROJECT_ID, SEEDED_AT, seed_projects, seed_users
from tests.memory_stack import memory_stores


@pytest.fixture
async def memory_backend() -> Backend:
    stores = memory_stores()
    await stores.organizations.create(Organization(id=ORG_ID, name="Seed org", created_at=SEEDED_AT))
    for project_id in (PROJECT_ID, OTHER_PROJECT_ID):  # the memory repo numbers projects 1, 2, … like the seed
        created = await stores.projects.create(
            organization_id=ORG_ID, name="p", api_token=f"phc_seed_{project_id}", timezone="UTC", created_at=SEEDED_AT
        )
        assert created.id == project_id

    async def organization_entries(organization_id: str) -> list[str]:
        entries = stores.activity._entries
        return [e.id for e in entries if e.organization_id == organization_id and e.project_id is None]

    return Backend(
        MemoryUnitOfWorkFactory(stores),
        stores.flags,
        stores.projects,
        stores.activity,
        stores.quota_limits,
        organization_entries,
    )


async def _sql_backend(sessions: async_sessionmaker[AsyncSession]) -> Backend:
    await seed_projects(sessions)
    await seed_users(sessions)

    async def organization_entries(organization_id: str) -> list[str]:
        row = ActivityRow
        stmt = sa.select(row.id).where(row.organization_id == organization_id, row.project_id.is_(None))
        async with sessions() as session:
            return list((await session.scalars(stmt)).all())

    return Backend(
        SqlUnitOfWorkFactory(sessions),
        SqlFlagRepo(sessions),
        SqlProjectRepo(sessions),
        SqlActivityLog(sessions),
        SqlQuotaLimitRepo(sessions),
        organization_entries,
    )


@pytest.fixture
async def sqlite_backend(sqlite_sessions: async_sessionmaker[AsyncSession]) -> Backend:
    return await _sql_backend(sqlite_sessions)


@pytest.fixture
async def postgres_backend(postgres_sessions: async_sessionmaker[AsyncSession]) -> Backend:
    return await _sql_backend(postgres_sessions)


@pytest.fixture
async def mariadb_backend(mariadb_sessions: async_sessionmaker[AsyncSession]) -> Backend:
    return await _sql_backend(mariadb_sessions)


@pytest.fixture(
    params=[
        pytest.param("memory_backend", id="memory"),
        pytest.param("sqlite_backend", id="sql:sqlite"),
        pytest.param("postgres_backend", id="sql:postgres", marks=pytest.mark.postgres),
        pytest.param("mariadb_backend", id="sql:mariadb", marks=pytest.mark.mariadb),
    ]
)
def backend(request: pytest.FixtureRequest) -> Backend:
    found: Backend = request.getfixturevalue(request.param)
    return found
