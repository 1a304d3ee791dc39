from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from flagcore.adapters.memory.sign_in import MemoryPasswordStore, MemorySessionStore
from flagcore.adapters.sqlalchemy.sign_in import SqlPasswordStore, SqlSessionStore
from flagcore.ports.sign_in import PasswordStore, SessionStore
from tests.contract.seed import seed_users

Stores = tuple[SessionStore, PasswordStore]


@pytest.fixture
def memory_sign_in() -> Stores:
    return MemorySessionStore(), MemoryPasswordStore()


async def _sql(sessions: async_sessionmaker[AsyncSession]) -> Stores:
    await seed_users(sessions)
    return SqlSessionStore(sessions), SqlPasswordStore(sessions)


@pytest.fixture
async def sqlite_sign_in(sqlite_sessions: async_sessionmaker[AsyncSession]) -> Stores:
    return await _sql(sqlite_sessions)


@pytest.fixture
async def postgres_sign_in(postgres_sessions: async_sessionmaker[AsyncSession]) -> Stores:
    return await _sql(postgres_sessions)


@pytest.fixture
async def mariadb_sign_in(mariadb_sessions: async_sessionmaker[AsyncSession]) -> Stores:
    return await _sql(mariadb_sessions)


@pytest.fixture(
    params=[
        pytest.param("memory_sign_in", id="memory"),
        pytest.param("sqlite_sign_in", id="sql:sqlite"),
        pytest.param("postgres_sign_in", id="sql:postgres", marks=pytest.mark.postgres),
        pytest.param("mariadb_sign_in", id="sql:mariadb", marks=pytest.mark.mariadb),
    ]
)
def sign_in_stores(request: pytest.FixtureRequest) -> Stores:
    stores: Stores = request.getfixturevalue(request.param)
    return stores
