"""A real flagcore process: the CLI migrates and initialises a SQLite database, then granian serves it."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

STARTUP_TIMEOUT_S = 30


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own CLI, fixed arguments
        [sys.executable, "-m", "flagcore", *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


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
    port = free_port()
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "flagcore", "serve", "--port", str(port), "--workers", "1"],
        env=cli_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base_url, process)
        yield Server(base_url=base_url, credentials=json.loads(init.stdout), env=cli_env)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def _wait_healthy(base_url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            stderr = process.stderr.read().decode() if process.stderr else ""
            pytest.fail(f"flagcore serve exited early ({process.returncode}): {stderr}")
        try:
            if httpx.get(f"{base_url}/_health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    pytest.fail("flagcore serve did not become healthy in time")
