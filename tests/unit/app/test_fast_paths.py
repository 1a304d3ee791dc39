"""The dispatcher in front of Litestar: which requests it takes, and errors answered by the app's one mapping."""

from __future__ import annotations

import json
from typing import Any

import pytest
from litestar import Litestar
from litestar.exceptions import HTTPException

from flagcore.app.http.fast_paths import FastPaths
from flagcore.domain.errors import InvalidInputError, UnauthenticatedError


class _Inner:
    def __init__(self) -> None:
        self.paths: list[str] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.paths.append(scope["path"])
        await send({"type": "http.response.start", "status": 299, "headers": []})
        await send({"type": "http.response.body", "body": b"inner"})


async def _call(app: Any, method: str, path: str, **extra: Any) -> tuple[int, bytes, dict[str, Any]]:
    scope: dict[str, Any] = {
        "type": "http", "method": method, "path": path, "raw_path": path.encode(), "query_string": b"",
        "headers": [(b"host", b"x")], "root_path": "", "state": {}, "litestar_app": Litestar([]), **extra,
    }  # fmt: skip
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    body = b"".join(message.get("body", b"") for message in sent if message["type"] == "http.response.body")
    return sent[0]["status"], body, scope


class _Endpoint:
    def __init__(self, exc: Exception | None = None) -> None:
        self._exc = exc

    async def answer(self, scope: Any, receive: Any) -> bytes:
        if self._exc is not None:
            raise self._exc
        return b"fast"

    async def respond(self, send: Any, body: bytes) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": body})


def _raising(exc: Exception) -> _Endpoint:
    return _Endpoint(exc)


_ok = _Endpoint()


@pytest.mark.parametrize("path", ["/flags", "/flags/", "/decide", "/decide/"])
@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_the_evaluation_paths_go_to_their_endpoint_with_the_route_template(path: str, method: str) -> None:
    inner = _Inner()
    routes = {p: (p.rstrip("/"), _ok) for p in ("/flags", "/flags/", "/decide", "/decide/")}
    status, body, scope = await _call(FastPaths(inner, routes=routes), method, path)
    assert (status, body, inner.paths) == (200, b"fast", [])
    assert scope["path_template"] == path.rstrip("/")


@pytest.mark.parametrize(
    ("method", "path", "extra"),
    [
        ("HEAD", "/flags", {}),  # Litestar answers 405 for the methods the routes do not have
        ("OPTIONS", "/flags/", {}),  # preflights
        ("PUT", "/decide", {}),
        ("POST", "/flags/definitions", {}),
        ("GET", "/flagsx", {}),
        ("POST", "/api/projects/1/feature_flags/", {}),
        ("POST", "/flags", {"root_path": "/mounted"}),  # mounted below a prefix: Litestar's routing decides
    ],
)
async def test_everything_else_goes_to_litestar(method: str, path: str, extra: dict[str, Any]) -> None:
    inner = _Inner()
    status, body, _ = await _call(FastPaths(inner, routes={"/flags": ("/flags", _ok)}), method, path, **extra)
    assert (status, body, inner.paths) == (299, b"inner", [path])


@pytest.mark.parametrize(
    ("exc", "status", "error"),
    [
        (InvalidInputError("Malformed request data", code="parse_error", attr="body"), 400, "validation_error"),
        (UnauthenticatedError("Project API key invalid."), 401, "authentication_error"),
        (HTTPException(status_code=413, detail="Request Entity Too Large"), 413, "invalid_request"),
        (RuntimeError("boom"), 500, "server_error"),
    ],
)
async def test_errors_take_the_apps_error_mapping(exc: Exception, status: int, error: str) -> None:
    app = FastPaths(_Inner(), routes={"/flags": ("/flags", _raising(exc))})
    got, body, _ = await _call(app, "POST", "/flags")
    answer = json.loads(body)
    assert (got, answer["type"]) == (status, error)
    assert set(answer) <= {"type", "code", "detail", "attr"}
    if isinstance(exc, RuntimeError):
        assert "boom" not in body.decode()  # internals never reach the caller


async def test_a_failing_send_propagates_and_is_never_answered_twice() -> None:
    """The client went away: the server sees the error, and no second response start is sent (found in review)."""
    starts = 0

    async def send(message: dict[str, Any]) -> None:
        nonlocal starts
        starts += message["type"] == "http.response.start"
        if message["type"] == "http.response.body":
            raise OSError("connection reset")

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    scope = {"type": "http", "method": "POST", "path": "/flags", "headers": [], "query_string": b"", "state": {}}
    app: Any = FastPaths(_Inner(), routes={"/flags": ("/flags", _ok)})
    with pytest.raises(OSError, match="connection reset"):
        await app(scope, receive, send)
    assert starts == 1
