"""The access line as the middleware hands it over: status seen with and without ``ResponseHeaders`` around it,
the request id made by ``/flags`` or derived by the writer thread from the request's headers."""

from __future__ import annotations

import io
import re
import uuid
from typing import Any

import pytest

from flagcore.app.http.headers import ResponseHeaders
from flagcore.app.observability.logs import LineFormat, LogWriter
from flagcore.app.observability.metrics import Metrics
from flagcore.app.observability.middleware import ObservabilityMiddleware
from flagcore.app.observability.request_id import REQUEST_ID_KEY


async def _teapot(scope: Any, receive: Any, send: Any) -> None:
    scope["path_template"] = "/api/things/{id}"
    await send({"type": "http.response.start", "status": 418, "headers": []})
    await send({"type": "http.response.body", "body": b"", "more_body": False})


async def _flags(scope: Any, receive: Any, send: Any) -> None:
    scope[REQUEST_ID_KEY] = "made-by-flags"
    await _teapot(scope, receive, send)


async def _call(app: Any, headers: list[tuple[bytes, bytes]], path: str = "/api/things/7") -> None:
    scope = {"type": "http", "method": "GET", "path": path, "headers": headers, "query_string": b""}

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    async def send(message: dict[str, Any]) -> None:
        del message

    await app(scope, receive, send)


@pytest.mark.parametrize("outer", [False, True], ids=["alone", "inside ResponseHeaders"])
async def test_the_line_has_the_status_route_and_the_callers_request_id(outer: bool) -> None:
    stream = io.StringIO()
    writer = LogWriter(LineFormat("text"), stream=stream)
    metrics = Metrics()
    app: Any = ObservabilityMiddleware(_teapot, metrics=metrics, access=writer)
    if outer:
        app = ResponseHeaders(app, allowed_origins=frozenset())
    mine = uuid.uuid4()
    await _call(app, [(b"host", b"x"), (b"x-request-id", str(mine).upper().encode())])
    await _call(app, [(b"host", b"x")])
    assert writer.flush()
    first, second = stream.getvalue().splitlines()
    line = rf"\S+ \S+ INFO flagcore\.access GET /api/things/\{{id\}} 418 \d+\.\dms requestId={mine}"
    assert re.fullmatch(line, first)
    assert uuid.UUID(second.rpartition("requestId=")[2]).version == 4
    metrics.flush()
    assert metrics.requests.labels("/api/things/{id}", "GET", "418")._value.get() == 2


async def test_the_id_flags_made_is_the_one_logged() -> None:
    stream = io.StringIO()
    writer = LogWriter(LineFormat("json"), stream=stream)
    app = ResponseHeaders(ObservabilityMiddleware(_flags, metrics=None, access=writer), allowed_origins=frozenset())
    await _call(app, [(b"x-request-id", str(uuid.uuid4()).encode())], path="/flags")
    assert writer.flush()
    assert '"requestId":"made-by-flags"' in stream.getvalue()
