"""Databases for the contract suites: a migrated SQLite file per test, the PostgreSQL and MariaDB databases."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from flagcore.adapters.sqlalchemy import create_engine, create_sessionmaker, run_migrations


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once per session (through the real migrations); tests work on copies of it."""
    path = tmp_path_factory.mktemp("sqlite-template") / "flagcore.db"
    run_migrations(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture
async def sqlite_sessions(sqlite_template: Path, tmp_path: Path) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    # A file, not :memory:, so that concurrent tests really race on several connections.
    path = tmp_path / "flagcore.db"
    shutil.copyfile(sqlite_template, path)
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    yield create_sessionmaker(engine)
    await engine.dispose()


@pytest.fixture
async def postgres_sessions(clean_postgres_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(clean_postgres_url)
    yield create_sessionmaker(engine)
    await engine.dispose()


@pytest.fixture
async def mariadb_sessions(clean_mariadb_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(clean_mariadb_url)
    yield create_sessionmaker(engine)
    await engine.dispose()
