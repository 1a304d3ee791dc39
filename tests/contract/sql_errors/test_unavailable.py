"""SQL adapters report an unusable database as ``BackendUnavailableError`` (the HTTP edge answers 503).

Not a contract suite: the memory adapters cannot lose their backend. Neither case needs a running server.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from flagcore.adapters.sqlalchemy import SqlApiKeyRepo, SqlFlagRepo, SqlUserRepo, create_engine, create_sessionmaker
from flagcore.domain.identity import PersonalApiKey
from flagcore.ports.errors import BackendUnavailableError
from flagcore.ports.flags import FlagQuery
from tests.contract.flag_repo.builders import T0, new_flag


@pytest.fixture
async def refused_sessions() -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    # Nothing listens on port 1 of loopback: every connection attempt is refused at once.
    engine = create_engine("postgresql+asyncpg://postgres@127.0.0.1:1/flagcore")
    yield create_sessionmaker(engine)
    await engine.dispose()


@pytest.fixture
def locked_sqlite(sqlite_template: Path, tmp_path: Path) -> Iterator[Path]:
    """A migrated SQLite file whose write lock another process holds for the whole test."""
    path = tmp_path / "locked.db"
    shutil.copyfile(sqlite_template, path)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    yield path
    holder.execute("ROLLBACK")
    holder.close()


async def test_refused_connection_raises_backend_unavailable(
    refused_sessions: async_sessionmaker[AsyncSession],
) -> None:
    flags = SqlFlagRepo(refused_sessions)
    with pytest.raises(BackendUnavailableError) as caught:
        await flags.list(1, FlagQuery())
    assert caught.value.__cause__ is not None
    with pytest.raises(BackendUnavailableError):
        await flags.soft_delete(1, 1, expected_version=1)
    with pytest.raises(BackendUnavailableError):
        await SqlUserRepo(refused_sessions).get_by_email("ada@example.com")


async def test_locked_database_raises_backend_unavailable(locked_sqlite: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{locked_sqlite}", sqlite_busy_timeout_ms=20)
    sessions = create_sessionmaker(engine)
    key = PersonalApiKey(id="k1", user_id=1, label="k", secure_value="s", mask_value="m", scopes=("*",), created_at=T0)
    try:
        with pytest.raises(BackendUnavailableError) as caught:
            await SqlFlagRepo(sessions).create(new_flag("checkout"))
        assert "locked" in str(caught.value.__cause__)
        with pytest.raises(BackendUnavailableError):
            await SqlApiKeyRepo(sessions).add(key)
    finally:
        await engine.dispose()
