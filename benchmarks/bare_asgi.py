"""The floor of the HTTP benchmarks: a bare ASGI app that does what any ``/flags`` server must and nothing more.

``GET`` answers a small JSON object; ``POST`` reads the whole body (every ``http.request`` message, as a real app
must before it can answer) and answers a small JSON object naming its length. No framework, no routing, no
parsing: the server (granian or uvicorn, with the settings flagcore is served with) and the client are all that is
measured. ``bench_http.py`` serves it beside flagcore in the same run, and reports ``/flags`` as a ratio to it.
"""

from __future__ import annotations

from typing import Any

_HEADERS = [(b"content-type", b"application/json")]


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] != "http":
        return
    body = b'{"status":"ok"}'
    if scope["method"] == "POST":
        size = 0
        more = True
        while more:
            message = await receive()
            size += len(message.get("body", b""))
            more = message.get("more_body", False)
        body = b'{"received":%d}' % size
    await send(
        {"type": "http.response.start", "status": 200, "headers": [*_HEADERS, (b"content-length", b"%d" % len(body))]}
    )
    await send({"type": "http.response.body", "body": body})
