from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from flagcore.adapters.memory import MemoryCohortRepo
from flagcore.adapters.sqlalchemy import SqlCohortRepo, SqlPersonRepo
from flagcore.domain.persons import NewPerson
from flagcore.ports.cohorts import CohortRepo
from flagcore.ports.persons import PersonRepo
from tests.contract.seed import PROJECT_ID, SEEDED_AT, seed_projects


@pytest.fixture
def memory_cohort_repo() -> CohortRepo:
    return MemoryCohortRepo()


@pytest.fixture
async def sqlite_cohort_repo(sqlite_sessions: async_sessionmaker[AsyncSession]) -> CohortRepo:
    await seed_projects(sqlite_sessions)
    await seed_persons(SqlPersonRepo(sqlite_sessions))
    return SqlCohortRepo(sqlite_sessions)


@pytest.fixture
async def postgres_cohort_repo(postgres_sessions: async_sessionmaker[AsyncSession]) -> CohortRepo:
    await seed_projects(postgres_sessions)
    await seed_persons(SqlPersonRepo(postgres_sessions))
    return SqlCohortRepo(postgres_sessions)


@pytest.fixture
async def mariadb_cohort_repo(mariadb_sessions: async_sessionmaker[AsyncSession]) -> CohortRepo:
    await seed_projects(mariadb_sessions)
    await seed_persons(SqlPersonRepo(mariadb_sessions))
    return SqlCohortRepo(mariadb_sessions)


async def seed_persons(persons: PersonRepo) -> None:
    # Memberships reference persons (foreign keys): persons 1-5 exist below the SQL cohort store.
    for index in range(1, 6):
        await persons.create(
            NewPerson(project_id=PROJECT_ID, distinct_ids=(f"p{index}",), properties={}, created_at=SEEDED_AT)
        )


@pytest.fixture(
    params=[
        pytest.param("memory_cohort_repo", id="memory"),
        pytest.param("sqlite_cohort_repo", id="sql:sqlite"),
        pytest.param("postgres_cohort_repo", id="sql:postgres", marks=pytest.mark.postgres),
        pytest.param("mariadb_cohort_repo", id="sql:mariadb", marks=pytest.mark.mariadb),
    ]
)
def cohort_repo(request: pytest.FixtureRequest) -> CohortRepo:
    repo: CohortRepo = request.getfixturevalue(request.param)
    return repo
