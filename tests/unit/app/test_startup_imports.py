"""What a process imports to start, by configuration (issue #18: a seeded memory server answers within a second).

Importing SQLAlchemy, advanced-alchemy, redis-py and the MinIO SDK costs a memory server more than half of its
start-up CPU while it uses none of them; these tests pin that they are left out. Each runs in a fresh interpreter
(the test session has imported everything already) and checks module names, not timings, so it cannot be flaky.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ADAPTER_LIBRARIES = ("sqlalchemy", "advanced_alchemy", "alembic", "aiosqlite", "asyncpg", "redis", "minio")

#: Builds the served app (as granian's worker does), runs its start-up (seed applied) and shutdown, and prints the
#: adapter libraries (and Litestar) then imported.
SERVED_APP = f"""
import asyncio, json, sys
import flagcore.app.main

async def main():
    app = flagcore.app.main.create_app()
    async with app.lifespan():
        pass

asyncio.run(main())
loaded = {{name.split(".")[0] for name in sys.modules}}
print(json.dumps(sorted(loaded & {{*{ADAPTER_LIBRARIES!r}, "litestar"}})))
"""


def _loaded(code: str, env: dict[str, str]) -> list[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("FLAGCORE_", "PROMETHEUS_"))}
    clean |= {"FLAGCORE_ACCESS_LOG": "false", "FLAGCORE_LOG_LEVEL": "warning"} | env
    done = subprocess.run(  # noqa: S603 - this interpreter, a fixed program
        [sys.executable, "-c", code], env=clean, capture_output=True, text=True, check=False, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return list(json.loads(done.stdout.strip().splitlines()[-1]))


@pytest.fixture
def seed_file(tmp_path: Path) -> Path:
    path = tmp_path / "seed.json"
    condition = {"key": "email", "type": "person", "operator": "icontains", "value": "@example.com"}
    group = {"properties": [condition], "rollout_percentage": 50}
    flags = [{"key": f"flag-{i}", "filters": {"groups": [group]}} for i in range(3)]
    project = {"name": "Web", "api_token": "phc_startuptest0001", "flags": flags}
    path.write_text(json.dumps({"organizations": [{"name": "Acme", "projects": [project]}]}))
    return path


def test_a_seeded_memory_server_imports_no_sql_redis_or_minio_library(seed_file: Path) -> None:
    env = {"FLAGCORE_DATABASE_URL": "memory://", "FLAGCORE_SEED": str(seed_file)}
    assert _loaded(SERVED_APP, env) == ["litestar"]


def test_sql_storage_still_gets_its_adapters(tmp_path: Path) -> None:
    # The other side of the choice: the same program on SQLite imports SQLAlchemy (the check above is not vacuous).
    code = SERVED_APP.replace("async with app.lifespan():\n        pass", "pass")  # no migrated database needed
    loaded = _loaded(code, {"FLAGCORE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'flags.db'}"})
    assert {"sqlalchemy", "advanced_alchemy"} <= set(loaded)
    assert "redis" not in loaded  # no FLAGCORE_REDIS_URL: redis-py is still left out


def test_the_cli_imports_no_web_framework_or_adapter_library_before_a_command_runs() -> None:
    # `flagcore --help`, `flagcore evaluate`, ...: each command imports what it needs when it runs.
    code = (
        "import json, sys\nimport flagcore.app.cli\nflagcore.app.cli._parser()\n"
        f"print(json.dumps(sorted({{n.split('.')[0] for n in sys.modules}} & {{*{ADAPTER_LIBRARIES!r}, 'litestar'}})))"
    )
    assert _loaded(code, {}) == []
