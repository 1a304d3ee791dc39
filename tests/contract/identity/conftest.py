"""One fixture per identity port, each parametrized over every adapter.

A SQL adapter gets the rows its foreign keys need (seeded below the port); the rows of the port under test are
never seeded, so every adapter starts from the same visible state.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from flagcore.adapters.cached import CachedProjectRepo
from flagcore.adapters.cached.identity import LastKnownApiKeyRepo, LastKnownOrganizationRepo, LastKnownUserRepo
from flagcore.adapters.memory import MemoryApiKeyRepo, MemoryOrganizationRepo, MemoryProjectRepo, MemoryUserRepo
from flagcore.adapters.sqlalchemy import SqlApiKeyRepo, SqlOrganizationRepo, SqlProjectRepo, SqlUserRepo
from flagcore.ports.identity import ApiKeyRepo, OrganizationRepo, ProjectRepo, UserRepo
from tests.contract.seed import seed_organizations, seed_projects, seed_users

Sessions = async_sessionmaker[AsyncSession]
Seed = Callable[[Sessions], Awaitable[None]]


def _adapters(port: str) -> list[object]:
    return [
        pytest.param(f"memory_{port}", id="memory"),
        pytest.param(f"sqlite_{port}", id="sql:sqlite"),
        pytest.param(f"postgres_{port}", id="sql:postgres", marks=pytest.mark.postgres),
        pytest.param(f"mariadb_{port}", id="sql:mariadb", marks=pytest.mark.mariadb),
    ]


async def _seeded(sessions: Sessions, *seeds: Seed) -> Sessions:
    for seed in seeds:
        await seed(sessions)
    return sessions


# --- OrganizationRepo (memberships reference users) ----------------------------------------------------------------


@pytest.fixture
def memory_organization_repo() -> OrganizationRepo:
    return MemoryOrganizationRepo()


@pytest.fixture
async def sqlite_organization_repo(sqlite_sessions: Sessions) -> OrganizationRepo:
    return SqlOrganizationRepo(await _seeded(sqlite_sessions, seed_users))


@pytest.fixture
async def postgres_organization_repo(postgres_sessions: Sessions) -> OrganizationRepo:
    return SqlOrganizationRepo(await _seeded(postgres_sessions, seed_users))


@pytest.fixture
async def mariadb_organization_repo(mariadb_sessions: Sessions) -> OrganizationRepo:
    return SqlOrganizationRepo(await _seeded(mariadb_sessions, seed_users))


@pytest.fixture
async def last_known_sqlite_organization_repo(sqlite_sessions: Sessions) -> OrganizationRepo:
    return LastKnownOrganizationRepo(SqlOrganizationRepo(await _seeded(sqlite_sessions, seed_users)))


@pytest.fixture(
    params=[
        *_adapters("organization_repo"),
        pytest.param("last_known_sqlite_organization_repo", id="last-known:sql:sqlite"),
    ]
)
def organization_repo(request: pytest.FixtureRequest) -> OrganizationRepo:
    repo: OrganizationRepo = request.getfixturevalue(request.param)
    return repo


# --- ProjectRepo (projects reference organizations) ----------------------------------------------------------------


@pytest.fixture
def memory_project_repo() -> ProjectRepo:
    return MemoryProjectRepo()


@pytest.fixture
async def sqlite_project_repo(sqlite_sessions: Sessions) -> ProjectRepo:
    return SqlProjectRepo(await _seeded(sqlite_sessions, seed_organizations))


@pytest.fixture
async def postgres_project_repo(postgres_sessions: Sessions) -> ProjectRepo:
    return SqlProjectRepo(await _seeded(postgres_sessions, seed_organizations))


@pytest.fixture
async def mariadb_project_repo(mariadb_sessions: Sessions) -> ProjectRepo:
    return SqlProjectRepo(await _seeded(mariadb_sessions, seed_organizations))


@pytest.fixture
async def cached_sqlite_project_repo(sqlite_sessions: Sessions) -> ProjectRepo:
    # The credential cache must keep every promise of the port (a verified decorator, not just a fast path).
    return CachedProjectRepo(SqlProjectRepo(await _seeded(sqlite_sessions, seed_organizations)))


@pytest.fixture(params=[*_adapters("project_repo"), pytest.param("cached_sqlite_project_repo", id="cached:sql:sqlite")])
def project_repo(request: pytest.FixtureRequest) -> ProjectRepo:
    repo: ProjectRepo = request.getfixturevalue(request.param)
    return repo


# --- UserRepo (the current project references projects) ------------------------------------------------------------


@pytest.fixture
def memory_user_repo() -> UserRepo:
    return MemoryUserRepo()


@pytest.fixture
async def sqlite_user_repo(sqlite_sessions: Sessions) -> UserRepo:
    return SqlUserRepo(await _seeded(sqlite_sessions, seed_projects))


@pytest.fixture
async def postgres_user_repo(postgres_sessions: Sessions) -> UserRepo:
    return SqlUserRepo(await _seeded(postgres_sessions, seed_projects))


@pytest.fixture
async def mariadb_user_repo(mariadb_sessions: Sessions) -> UserRepo:
    return SqlUserRepo(await _seeded(mariadb_sessions, seed_projects))


@pytest.fixture
async def last_known_sqlite_user_repo(sqlite_sessions: Sessions) -> UserRepo:
    return LastKnownUserRepo(SqlUserRepo(await _seeded(sqlite_sessions, seed_projects)))


@pytest.fixture(
    params=[*_adapters("user_repo"), pytest.param("last_known_sqlite_user_repo", id="last-known:sql:sqlite")]
)
def user_repo(request: pytest.FixtureRequest) -> UserRepo:
    repo: UserRepo = request.getfixturevalue(request.param)
    return repo


# --- ApiKeyRepo (keys reference users) -----------------------------------------------------------------------------


@pytest.fixture
def memory_api_key_repo() -> ApiKeyRepo:
    return MemoryApiKeyRepo()


@pytest.fixture
async def sqlite_api_key_repo(sqlite_sessions: Sessions) -> ApiKeyRepo:
    return SqlApiKeyRepo(await _seeded(sqlite_sessions, seed_users))


@pytest.fixture
async def postgres_api_key_repo(postgres_sessions: Sessions) -> ApiKeyRepo:
    return SqlApiKeyRepo(await _seeded(postgres_sessions, seed_users))


@pytest.fixture
async def mariadb_api_key_repo(mariadb_sessions: Sessions) -> ApiKeyRepo:
    return SqlApiKeyRepo(await _seeded(mariadb_sessions, seed_users))


@pytest.fixture
async def last_known_sqlite_api_key_repo(sqlite_sessions: Sessions) -> ApiKeyRepo:
    return LastKnownApiKeyRepo(SqlApiKeyRepo(await _seeded(sqlite_sessions, seed_users)))


@pytest.fixture(
    params=[*_adapters("api_key_repo"), pytest.param("last_known_sqlite_api_key_repo", id="last-known:sql:sqlite")]
)
def api_key_repo(request: pytest.FixtureRequest) -> ApiKeyRepo:
    repo: ApiKeyRepo = request.getfixturevalue(request.param)
    return repo
