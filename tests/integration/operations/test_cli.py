"""CLI commands that cannot use the database print one line naming the setting and the cause, and exit 1."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from flagcore.adapters.sqlalchemy.migrate import head_revision
from tests.conftest import POSTGRES_ADMIN_URL
from tests.servers import run_cli


def _env(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLAGCORE_")}
    env["FLAGCORE_DATABASE_URL"] = database_url
    return env


def _one_line_failure(command: str, env: dict[str, str]) -> str:
    result = run_cli(command, env=env)
    assert result.returncode == 1, result
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith(f"flagcore {command}: FLAGCORE_DATABASE_URL=")
    return result.stderr.strip()


@pytest.mark.postgres
@pytest.mark.parametrize("command", ["migrate", "init", "serve"])
def test_unknown_postgres_database_is_one_line(command: str, postgres_url: str) -> None:
    name = f"flagcore_missing_{uuid.uuid4().hex[:8]}"
    url = make_url(POSTGRES_ADMIN_URL).set(drivername="postgresql", database=name, password="pw-not-shown")
    line = _one_line_failure(command, _env(url.render_as_string(hide_password=False)))
    assert f'database "{name}" does not exist' in line
    assert "pw-not-shown" not in line
    assert "://***@" in line  # credentials redacted
    del postgres_url  # only there to skip without PostgreSQL


def test_unreachable_database_is_one_line() -> None:
    line = _one_line_failure("migrate", _env("postgresql://user:secret@127.0.0.1:1/flagcore"))
    assert "cannot reach the database" in line
    assert "secret" not in line


def test_unreadable_sqlite_file_is_one_line(tmp_path: Path) -> None:
    line = _one_line_failure("init", _env(f"sqlite:///{tmp_path / 'missing-dir' / 'x.db'}"))
    assert "cannot open the SQLite database file" in line


def test_init_before_migrate_says_to_migrate(tmp_path: Path) -> None:
    line = _one_line_failure("init", _env(f"sqlite:///{tmp_path / 'x.db'}"))
    assert line.endswith("run `flagcore migrate`")


def test_migrate_says_what_it_applied(tmp_path: Path) -> None:
    env = _env(f"sqlite:///{tmp_path / 'x.db'}")
    first = run_cli("migrate", env=env)
    assert first.returncode == 0, first.stderr
    head = head_revision()
    assert first.stdout.startswith("flagcore migrate: applied 0001_initial, 0002_hash_key_overrides, 0003_group_types")
    assert f"; database at {head} (sqlite+aiosqlite:///" in first.stdout
    again = run_cli("migrate", env=env)
    assert again.returncode == 0
    assert again.stdout.startswith(f"flagcore migrate: already at {head}, nothing to apply")
