"""An in-process A/B harness: the whole ASGI app built twice (feature X on and off), ``POST /flags`` timed in turns.

What ``on_off.py`` measures over HTTP, without server, client or kernel: CPU microseconds per request of this process
(so the access log's writer thread counts too), best of many short rounds, the two apps alternating round by round,
so that the load of a shared machine hits both alike and hardly moves the figures. Both apps serve one SQLite file
seeded beforehand by a third app, so neither of the two measured ones carries the seeding's garbage or caches.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_http import _flags

Message = dict[str, Any]
App = Callable[[Message, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]], Awaitable[None]]


def _body(rng: random.Random, token: str, *, disable: bool = False) -> bytes:
    user = rng.randint(1, 1_000_000)
    person = {
        "email": f"user{user}@{'example.com' if user % 3 == 0 else 'corp.io'}",
        "plan": rng.choice(["free", "pro", "enterprise"]),
        "country": rng.choice(["US", "DE", "FR", "GB", "JP"]),
        "app_version": f"1.{rng.randint(0, 9)}.{rng.randint(0, 20)}",
        "age": rng.randint(18, 80),
    }
    body: dict[str, Any] = {"api_key": token, "distinct_id": f"user-{user}", "person_properties": person}
    if disable:
        body["disable_flags"] = True
    return json.dumps(body).encode()


async def _call(app: App, method: str, path: str, query: bytes = b"", body: bytes = b"", **headers: str) -> int:
    raw = [(b"host", b"127.0.0.1"), *((k.replace("_", "-").encode(), v.encode()) for k, v in headers.items())]
    if body:
        raw += [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query,
        "root_path": "",
        "headers": raw,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    status = 0

    async def receive() -> Message:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


def prepare(env: dict[str, str]) -> dict[str, Any]:
    """A fresh SQLite database named in ``os.environ`` (with ``env`` on top), migrated; the credentials of ``init``."""
    workdir = Path(tempfile.mkdtemp(prefix="flagcore-bench-inproc-"))
    os.environ["FLAGCORE_DATABASE_URL"] = f"sqlite+aiosqlite:///{workdir / 'bench.db'}"
    os.environ["FLAGCORE_LOG_LEVEL"] = "warning"
    os.environ.update(env)
    cli = [sys.executable, "-m", "flagcore"]
    subprocess.run([*cli, "migrate"], check=True, capture_output=True, timeout=120)  # noqa: S603
    init = subprocess.run([*cli, "init", "--json"], check=True, capture_output=True, text=True, timeout=120)  # noqa: S603
    creds: dict[str, Any] = json.loads(init.stdout)
    return creds


@contextlib.asynccontextmanager
async def running(app: App) -> AsyncIterator[App]:
    """``app`` started (lifespan) for the block, stopped after."""
    lifespan: asyncio.Queue[Message] = asyncio.Queue()
    events: asyncio.Queue[Message] = asyncio.Queue()
    await lifespan.put({"type": "lifespan.startup"})
    task = asyncio.create_task(
        app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, lifespan.get, events.put)
    )
    await events.get()
    try:
        yield app
    finally:
        await lifespan.put({"type": "lifespan.shutdown"})
        await task


#: Settings for a measured app whose per-second timers (snapshot freshness checks, quota flushes, expiry sweeps)
#: must stay out of a callgrind window: under callgrind a request takes ~50x longer, so they would fire in
#: proportion to how slowly a run happened to go, not to how many requests it served.
QUIET: dict[str, float] = {
    "snapshot_refresh_s": 3600.0,
    "quota_flush_s": 300.0,
    "quota_check_s": 3600.0,
    "change_request_expiry_s": 0.0,
    "scheduled_changes_interval_s": 3600.0,
}


def prepare_seeded() -> dict[str, Any]:
    """``prepare``, then the 50-flag project created through an app of its own (stopped before returning)."""
    creds = prepare({})
    from flagcore.app.main import create_app  # noqa: PLC0415 - after prepare() names the database

    async def seeding() -> None:
        async with running(create_app()) as app:
            await seed(app, creds)

    asyncio.run(seeding())
    return creds


async def seed(app: App, creds: dict[str, Any]) -> None:
    auth = {"authorization": f"Bearer {creds['personal_api_key']}"}
    for flag in _flags(random.Random(7)):
        body = json.dumps(flag).encode()
        assert await _call(app, "POST", "/api/projects/@current/feature_flags/", body=body, **auth) == 201


async def compare(
    apps: dict[str, App], creds: dict[str, Any], *, rounds: int = 40, requests: int = 300, between: Callable[[], Any]
) -> dict[str, float]:
    """Best CPU µs per ``POST /flags?v=2`` of each app, rounds alternating (``between`` runs after each round)."""
    rng = random.Random(1)
    bodies = [_body(rng, creds["project_api_key"]) for _ in range(requests)]
    for app in apps.values():
        for body in bodies:
            assert await _call(app, "POST", "/flags/", b"v=2", body) == 200
    best = dict.fromkeys(apps, float("inf"))
    names = list(apps)
    for round_no in range(rounds):
        for name in names if round_no % 2 == 0 else names[::-1]:
            app = apps[name]
            start = time.process_time()
            for body in bodies:
                await _call(app, "POST", "/flags/", b"v=2", body)
            await between()
            best[name] = min(best[name], (time.process_time() - start) / requests * 1e6)
    return best
