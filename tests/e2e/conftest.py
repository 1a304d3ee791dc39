"""A real flagcore process: the CLI migrates and initialises a SQLite database, then granian serves it."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.servers import run_cli, running_server


@dataclass
class Server:
    base_url: str
    credentials: dict[str, Any]
    env: dict[str, str]

    def client(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.base_url,
            headers={"Authorization": f"Bearer {self.credentials['personal_api_key']}"},
            timeout=10,
        )


@pytest.fixture(scope="module")
def cli_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    db = Path(tmp_path_factory.mktemp("e2e")) / "flagcore.db"
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLAGCORE_")}
    env["FLAGCORE_DATABASE_URL"] = f"sqlite+aiosqlite:///{db}"
    return env


@pytest.fixture(scope="module")
def server(cli_env: dict[str, str]) -> Iterator[Server]:
    assert run_cli("migrate", env=cli_env).returncode == 0
    init = run_cli("init", "--json", env=cli_env)
    assert init.returncode == 0, init.stderr
    with running_server(cli_env) as base_url:
        yield Server(base_url=base_url, credentials=json.loads(init.stdout), env=cli_env)
