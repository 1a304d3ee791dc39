"""In-process benchmark: microseconds of CPU per request through the whole ASGI app, without a server or a client.

Run from the repository root: ``.venv/bin/python benchmarks/bench_asgi.py`` (about 30 s; ``--profile`` adds a
cProfile listing of the ``/flags`` requests). It builds the real app over a fresh SQLite database, creates the
HTTP benchmark's project of 50 flags, and calls the app directly with ASGI messages: ``GET /_health``,
``POST /flags?v=2`` with the HTTP benchmark's random subjects, and the same requests with ``disable_flags``.
Times are CPU time of this process (best of several rounds), so other load on a shared machine disturbs them less
than wall-clock times; what ``bench_http.py`` adds on top is the server, the client and the kernel.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, Final, NamedTuple, cast

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_http import _flags  # the HTTP benchmark's flags, so both benchmarks measure the same project
from in_process import App, Message, _body, _call

ROUNDS = 9
REQUESTS = 1000


async def _per_request(request: Callable[[bytes], Awaitable[int]], bodies: list[bytes]) -> float:
    for body in bodies[:100]:
        assert await request(body) == 200  # a benchmark of failures would be meaningless
    best = float("inf")
    for _ in range(ROUNDS):
        start = time.process_time()
        for body in bodies:
            await request(body)
        best = min(best, (time.process_time() - start) / len(bodies))
    return best * 1e6


async def _run(app: App, creds: dict[str, Any], *, profile: bool) -> None:
    lifespan: asyncio.Queue[Message] = asyncio.Queue()
    started: asyncio.Queue[Message] = asyncio.Queue()
    await lifespan.put({"type": "lifespan.startup"})
    task = asyncio.create_task(
        app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, lifespan.get, started.put)
    )
    await started.get()
    auth = {"authorization": f"Bearer {creds['personal_api_key']}"}
    for flag in _flags(random.Random(7)):
        status = await _call(
            app, "POST", "/api/projects/@current/feature_flags/", body=json.dumps(flag).encode(), **auth
        )
        assert status == 201
    token = creds["project_api_key"]
    rng = random.Random(1)
    bodies = [_body(rng, token) for _ in range(REQUESTS)]
    disabled = [_body(rng, token, disable=True) for _ in range(REQUESTS)]
    rows = {
        "GET /_health": await _per_request(lambda _: _call(app, "GET", "/_health"), bodies),
        "POST /flags?v=2 (50 flags)": await _per_request(lambda b: _call(app, "POST", "/flags/", b"v=2", b), bodies),
        "POST /flags, disable_flags": await _per_request(lambda b: _call(app, "POST", "/flags/", b"v=2", b), disabled),
    }
    print(f"{'request':32} {'µs CPU':>8}")
    for name, micros in rows.items():
        print(f"{name:32} {micros:8.1f}")
    if profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for body in bodies:
            await _call(app, "POST", "/flags/", b"v=2", body)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(40)
    await lifespan.put({"type": "lifespan.shutdown"})
    await task


class Kind(NamedTuple):
    """One row of ``--instructions``: which app (``bare`` is ``bare_asgi.py``'s), the request, what it answers."""

    app: str
    method: str
    path: str
    query: bytes = b""
    body: str | None = None  # "flags", "disabled" (the /flags bodies), "rename" (a PATCH that changes the name)
    auth: str | None = None  # "personal", "secret": that key of ``init`` as a Bearer token
    status: int = 200


_FLAGS = "/api/projects/@current/feature_flags/"
_FLAG_1 = f"{_FLAGS}1/"
_FEED = "/flags/definitions"
KINDS: Final = {
    "bare ASGI GET": Kind("bare", "GET", "/"),
    "bare ASGI POST (the /flags bodies)": Kind("bare", "POST", "/flags/", b"v=2", "flags"),
    "GET /_health": Kind("flagcore", "GET", "/_health"),
    "POST /flags?v=2 (50 flags)": Kind("flagcore", "POST", "/flags/", b"v=2", "flags"),
    "POST /flags, disable_flags": Kind("flagcore", "POST", "/flags/", b"v=2", "disabled"),
    "GET /flags/definitions, 304": Kind("flagcore", "GET", _FEED, b"send_cohorts", auth="secret", status=304),
    "GET feature_flags/ (list of 50)": Kind("flagcore", "GET", _FLAGS, auth="personal"),
    "GET feature_flags/1/": Kind("flagcore", "GET", _FLAG_1, auth="personal"),
    "PATCH feature_flags/1/ (name)": Kind("flagcore", "PATCH", _FLAG_1, body="rename", auth="personal"),
}


def instructions(requests: int, only: str | None = None) -> None:
    """Instructions per request of each kind under callgrind, one process each: a table that load cannot move."""
    import instructions as callgrind  # noqa: PLC0415

    reason = callgrind.available()
    if reason:
        sys.exit(reason)
    from in_process import prepare_seeded  # noqa: PLC0415

    creds = prepare_seeded()
    env = os.environ | {"PYTHONHASHSEED": "0", "BENCH_FLAGCORE_CREDS": json.dumps(creds)}
    counts = {}
    for kind in KINDS:
        if only and only not in kind and not kind.startswith("bare ASGI POST"):  # the floor is always measured
            continue
        argv = [__file__, "--instructions-child", kind, "--requests", str(requests)]
        counts[kind] = callgrind.count(argv, env) / requests
    floor = counts["bare ASGI POST (the /flags bodies)"]
    print(f"{'request':36} {'instructions':>13} {'/bare POST':>10}")
    for kind, count in counts.items():
        print(f"{kind:36} {count:13,.0f} {count / floor:10.2f}")
    print(f"in process under callgrind, {requests} requests each after two warm-up passes; no server, no client")


def instructions_child(kind: str, requests: int) -> None:
    import instructions as callgrind  # noqa: PLC0415
    import msgspec  # noqa: PLC0415
    from in_process import QUIET, running  # noqa: PLC0415

    spec = KINDS[kind]
    creds = json.loads(os.environ["BENCH_FLAGCORE_CREDS"])
    app: App
    if spec.app == "bare":
        from bare_asgi import app as bare  # noqa: PLC0415

        app = cast("App", bare)
    else:
        from flagcore.app.main import create_app  # noqa: PLC0415
        from flagcore.app.settings import load_settings  # noqa: PLC0415

        app = create_app(settings=msgspec.structs.replace(load_settings(), **QUIET))
    rng = random.Random(1)
    bodies = [_request_body(spec, rng, creds, index) for index in range(requests)]
    headers = {}
    if spec.auth is not None:
        key = creds["personal_api_key" if spec.auth == "personal" else "project_secret_api_key"]
        headers["authorization"] = f"Bearer {key}"
    query = spec.query + (b"&token=" + creds["project_api_key"].encode() if spec.path == _FEED else b"")

    async def run() -> None:
        async with running(app):
            if spec.status == 304:  # the feed's current ETag, as a polling SDK holds it
                headers["if-none-match"] = await _etag(app, query, headers)
            for _ in range(2):
                for body in bodies:
                    assert await _call(app, spec.method, spec.path, query, body, **headers) == spec.status
            callgrind.start()
            for body in bodies:
                await _call(app, spec.method, spec.path, query, body, **headers)
            callgrind.stop()

    asyncio.run(run())


def _request_body(spec: Kind, rng: random.Random, creds: dict[str, Any], index: int) -> bytes:
    if spec.body in ("flags", "disabled"):
        return _body(rng, creds["project_api_key"], disable=spec.body == "disabled")
    if spec.body == "rename":  # every PATCH changes the flag: a version, an activity entry, a snapshot invalidation
        return json.dumps({"name": f"renamed {index % 2}"}).encode()
    return b""


async def _etag(app: App, query: bytes, headers: dict[str, str]) -> str:
    found: dict[str, str] = {}

    async def capture(message: Message) -> None:
        if message["type"] == "http.response.start":
            found.update((k.decode(), v.decode()) for k, v in message["headers"])

    raw = [(b"host", b"127.0.0.1"), *((k.encode(), v.encode()) for k, v in headers.items())]
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
        "path": "/flags/definitions", "raw_path": b"/flags/definitions", "query_string": query, "root_path": "",
        "headers": raw, "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000), "state": {},
    }  # fmt: skip

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    await app(scope, receive, capture)
    return found["etag"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", action="store_true", help="print a cProfile listing of the /flags requests")
    parser.add_argument("--instructions", action="store_true", help="instructions per request under callgrind")
    parser.add_argument("--instructions-child", choices=sorted(KINDS), help=argparse.SUPPRESS)
    parser.add_argument("--requests", type=int, default=200, help="requests counted per kind (--instructions)")
    parser.add_argument("--only", help="--instructions: only the kinds whose name contains this")
    args = parser.parse_args()
    if args.instructions_child:
        instructions_child(args.instructions_child, args.requests)
        return
    if args.instructions:
        instructions(args.requests, args.only)
        return
    workdir = Path(tempfile.mkdtemp(prefix="flagcore-bench-"))
    os.environ["FLAGCORE_DATABASE_URL"] = f"sqlite+aiosqlite:///{workdir / 'bench.db'}"
    os.environ["FLAGCORE_LOG_LEVEL"] = "warning"
    cli = [sys.executable, "-m", "flagcore"]
    subprocess.run([*cli, "migrate"], check=True, capture_output=True, timeout=120)  # noqa: S603
    init = subprocess.run([*cli, "init", "--json"], check=True, capture_output=True, text=True, timeout=120)  # noqa: S603
    from flagcore.app.main import create_app  # noqa: PLC0415 - after the environment names the database

    asyncio.run(_run(create_app(), json.loads(init.stdout), profile=args.profile))


if __name__ == "__main__":
    main()
