from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from flagcore.adapters.memory.openfeature import MemoryFlagDeclarationRepo
from flagcore.adapters.sqlalchemy.openfeature import SqlFlagDeclarationRepo
from flagcore.ports.openfeature import FlagDeclarationRepo
from tests.contract.flag_declarations.seed import seed_flags


@pytest.fixture
def memory_flag_declaration_repo() -> FlagDeclarationRepo:
    return MemoryFlagDeclarationRepo()


@pytest.fixture
async def sqlite_flag_declaration_repo(sqlite_sessions: async_sessionmaker[AsyncSession]) -> FlagDeclarationRepo:
    await seed_flags(sqlite_sessions)
    return SqlFlagDeclarationRepo(sqlite_sessions)


@pytest.fixture
async def postgres_flag_declaration_repo(postgres_sessions: async_sessionmaker[AsyncSession]) -> FlagDeclarationRepo:
    await seed_flags(postgres_sessions)
    return SqlFlagDeclarationRepo(postgres_sessions)


@pytest.fixture
async def mariadb_flag_declaration_repo(mariadb_sessions: async_sessionmaker[AsyncSession]) -> FlagDeclarationRepo:
    await seed_flags(mariadb_sessions)
    return SqlFlagDeclarationRepo(mariadb_sessions)


@pytest.fixture(
    params=[
        pytest.param("memory_flag_declaration_repo", id="memory"),
        pytest.param("sqlite_flag_declaration_repo", id="sql:sqlite"),
        pytest.param("postgres_flag_declaration_repo", id="sql:postgres", marks=pytest.mark.postgres),
        pytest.param("mariadb_flag_declaration_repo", id="sql:mariadb", marks=pytest.mark.mariadb),
    ]
)
def flag_declaration_repo(request: pytest.FixtureRequest) -> FlagDeclarationRepo:
    repo: FlagDeclarationRepo = request.getfixturevalue(request.param)
    return repo
