"""Real flagcore processes for end-to-end tests: the CLI, and granian serving on a free loopback port."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import IO

import httpx
import pytest

# Generous: `python -m flagcore` imports for seconds, and on a loaded 2-core CI machine several servers start at once.
STARTUP_TIMEOUT_S = 90


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run ``flagcore ARGS`` (``python -m flagcore``) and capture its output."""
    return subprocess.run(  # noqa: S603 - our own CLI, fixed arguments
        [sys.executable, "-m", "flagcore", *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def running_server(env: dict[str, str], *, workers: int = 1, stderr: IO[bytes] | None = None) -> Iterator[str]:
    """``flagcore serve`` on a free loopback port until the block ends; yields its base URL once it is healthy.

    The server's standard error goes to ``stderr`` when given (a file the test reads its log lines from).
    """
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 - our own CLI, fixed arguments
        [sys.executable, "-m", "flagcore", "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE if stderr is None else stderr,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base_url, process)
        yield base_url
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
