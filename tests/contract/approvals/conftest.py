from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from flagcore.adapters.memory.approvals import MemoryApprovalPolicyRepo, MemoryChangeRequestRepo
from flagcore.adapters.sqlalchemy.approvals import SqlApprovalPolicyRepo, SqlChangeRequestRepo
from flagcore.ports.approvals import ApprovalPolicyRepo, ChangeRequestRepo
from tests.contract.seed import seed_projects


@pytest.fixture
def memory_approval_policies() -> ApprovalPolicyRepo:
    return MemoryApprovalPolicyRepo()


@pytest.fixture
async def sqlite_approval_policies(sqlite_sessions: async_sessionmaker[AsyncSession]) -> ApprovalPolicyRepo:
    await seed_projects(sqlite_sessions)
    return SqlApprovalPolicyRepo(sqlite_sessions)


@pytest.fixture
async def postgres_approval_policies(postgres_sessions: async_sessionmaker[AsyncSession]) -> ApprovalPolicyRepo:
    await seed_projects(postgres_sessions)
    return SqlApprovalPolicyRepo(postgres_sessions)


@pytest.fixture
async def mariadb_approval_policies(mariadb_sessions: async_sessionmaker[AsyncSession]) -> ApprovalPolicyRepo:
    await seed_projects(mariadb_sessions)
    return SqlApprovalPolicyRepo(mariadb_sessions)


@pytest.fixture(
    params=[
        pytest.param("memory_approval_policies", id="memory"),
        pytest.param("sqlite_approval_policies", id="sql:sqlite"),
        pytest.param("postgres_approval_policies", id="sql:postgres", marks=pytest.mark.postgres),
        pytest.param("mariadb_approval_policies", id="sql:mariadb", marks=pytest.mark.mariadb),
    ]
)
def approval_policies(request: pytest.FixtureRequest) -> ApprovalPolicyRepo:
    repo: ApprovalPolicyRepo = request.getfixturevalue(request.param)
    return repo


@pytest.fixture
def memory_change_requests() -> ChangeRequestRepo:
    return MemoryChangeRequestRepo()


@pytest.fixture
async def sqlite_change_requests(sqlite_sessions: async_sessionmaker[AsyncSession]) -> ChangeRequestRepo:
    await seed_projects(sqlite_sessions)
    return SqlChangeRequestRepo(sqlite_sessions)


@pytest.fixture
async def postgres_change_requests(postgres_sessions: async_sessionmaker[AsyncSession]) -> ChangeRequestRepo:
    await seed_projects(postgres_sessions)
    return SqlChangeRequestRepo(postgres_sessions)


@pytest.fixture
async def mariadb_change_requests(mariadb_sessions: async_sessionmaker[AsyncSession]) -> ChangeRequestRepo:
    await seed_projects(mariadb_sessions)
    return SqlChangeRequestRepo(mariadb_sessions)


@pytest.fixture(
    params=[
        pytest.param("memory_change_requests", id="memory"),
        pytest.param("sqlite_change_requests", id="sql:sqlite"),
        pytest.param("postgres_change_requests", id="sql:postgres", marks=pytest.mark.postgres),
        pytest.param("mariadb_change_requests", id="sql:mariadb", marks=pytest.mark.mariadb),
    ]
)
def change_requests(request: pytest.FixtureRequest) -> ChangeRequestRepo:
    repo: ChangeRequestRepo = request.getfixturevalue(request.param)
    return repo
