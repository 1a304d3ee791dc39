"""Micro-benchmark: what the response-header middleware costs per request, against Litestar's CORS middleware.

Run from the repository root: ``.venv/bin/python benchmarks/bench_headers.py`` (a few seconds). A bare ASGI app
answers like ``/flags`` (status, two headers, a body); it is called directly, alone and wrapped in each
middleware, in interleaved rounds. Printed: the median microseconds per request of each, and the difference.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from typing import Any

from litestar.config.cors import CORSConfig
from litestar.middleware._internal.cors import CORSMiddleware

from flagcore.app.http.headers import ResponseHeaders

ROUNDS = 9
REQUESTS = 50_000
HEADERS = [
    (b"host", b"flags.example.com"),
    (b"content-type", b"application/json"),
    (b"content-length", b"80"),
    (b"user-agent", b"posthog-js/1.200"),
    (b"accept", b"*/*"),
    (b"origin", b"https://shop.example.com"),
]
SCOPE: dict[str, Any] = {"type": "http", "method": "POST", "path": "/flags/", "headers": HEADERS}


async def bare(_scope: Any, _receive: Any, send: Any) -> None:
    start = [(b"content-type", b"application/json"), (b"content-length", b"2")]
    await send({"type": "http.response.start", "status": 200, "headers": start})
    await send({"type": "http.response.body", "body": b"{}", "more_body": False})


async def receive() -> dict[str, Any]:
    return {"type": "http.request", "body": b"", "more_body": False}


async def send(_message: Any) -> None:
    return


async def per_request_us(app: Any) -> float:
    started = time.perf_counter()
    for _ in range(REQUESTS):
        await app(dict(SCOPE), receive, send)
    return (time.perf_counter() - started) / REQUESTS * 1e6


async def main() -> None:
    cors = CORSConfig(allow_origins=["*"], allow_methods=["*"], allow_headers=["*"], max_age=600)
    apps = {
        "bare app": bare,
        "Litestar CORS (before)": CORSMiddleware(app=bare, config=cors),
        "ResponseHeaders (after)": ResponseHeaders(bare, allowed_origins=frozenset()),
    }
    times: dict[str, list[float]] = {name: [] for name in apps}
    for _ in range(ROUNDS):
        for name, app in apps.items():
            times[name].append(await per_request_us(app))
    base = statistics.median(times["bare app"])
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:26s} {median:6.2f} us/request  (+{median - base:5.2f} us over the bare app)")


if __name__ == "__main__":
    asyncio.run(main())
