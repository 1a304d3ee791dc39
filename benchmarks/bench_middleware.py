"""CPU per request of the access-log/metrics middleware around a do-nothing ASGI app (in process, no server).

Run: ``.venv/bin/python benchmarks/bench_middleware.py`` (a few seconds). Prints microseconds per request bare,
with both, metrics only and access log only (the writer thread writes to memory; its formatting shares the GIL).
"""

from __future__ import annotations

import asyncio
import io
import time

from flagcore.app.observability.logs import LineFormat, LogWriter
from flagcore.app.observability.metrics import Metrics
from flagcore.app.observability.middleware import ObservabilityMiddleware

HEADERS = [(b"host", b"x"), (b"user-agent", b"wrk"), (b"content-type", b"application/json"), (b"content-length", b"9")]


async def inner(scope, receive, send):  # noqa: ARG001 - the ASGI signature
    scope["path_template"] = "/flags"
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"x"})


async def _send(message):
    del message


async def _receive():
    return {}


async def run(app, n=100_000):
    start = time.perf_counter()
    for _ in range(n):
        await app({"type": "http", "method": "POST", "headers": HEADERS, "path": "/flags"}, _receive, _send)
    return (time.perf_counter() - start) / n * 1e6


def main() -> None:
    writer = LogWriter(LineFormat("text"), stream=io.StringIO())
    bare = asyncio.run(run(inner))
    both = asyncio.run(run(ObservabilityMiddleware(inner, metrics=Metrics(), access=writer)))
    metrics = asyncio.run(run(ObservabilityMiddleware(inner, metrics=Metrics(), access=None)))
    access = asyncio.run(run(ObservabilityMiddleware(inner, metrics=None, access=writer)))
    print(f"bare {bare:.2f} us, both {both:.2f} us, metrics only {metrics:.2f} us, access log only {access:.2f} us")


if __name__ == "__main__":
    main()
