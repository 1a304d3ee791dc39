"""SQLite database files are private to their owner (issue 17): they used to be created 0644, world-readable."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from flagcore.adapters.sqlalchemy import create_engine, upgrade_database
from flagcore.adapters.sqlalchemy.sqlite_file import DATABASE_FILE_MODE, create_private_database_file


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    """The common default umask, under which SQLite alone creates files 0644."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_the_database_and_its_wal_and_shm_files_are_created_0600(tmp_path: Path) -> None:
    """Guards the migrate-then-serve path: the file and the WAL files SQLite adds beside it."""
    path = tmp_path / "data" / "flagcore.db"
    url = f"sqlite+aiosqlite:///{path}"
    await upgrade_database(url)
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(sa.text("DELETE FROM feature_flags"))
            modes = [mode(Path(f"{path}{suffix}")) for suffix in ("", "-wal", "-shm")]  # stat raises if missing
            assert modes == [DATABASE_FILE_MODE] * 3
    finally:
        await engine.dispose()


def test_an_existing_file_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "existing.db"
    path.write_bytes(b"")
    path.chmod(0o640)
    create_private_database_file(str(path))
    assert mode(path) == 0o640


@pytest.mark.parametrize("database", [None, "", ":memory:", "file:x.db?mode=memory"])
def test_in_memory_and_uri_databases_create_no_file(
    database: str | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    create_private_database_file(database)
    assert list(tmp_path.iterdir()) == []


def test_a_missing_directory_is_left_to_sqlite(tmp_path: Path) -> None:
    create_private_database_file(str(tmp_path / "missing" / "x.db"))
    assert not (tmp_path / "missing").exists()
