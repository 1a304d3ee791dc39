"""HttpFlagEvaluator against misbehaving services: clear 502/504 errors, never anything else.

Each service is a few lines of asyncio on a loopback port, so the exact bytes on the wire are under test control.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from flagcore.adapters.http import HttpFlagEvaluator
from flagcore.domain.identity import Project
from flagcore.ports.flag_evaluator import EvaluatedFlag, EvaluatorTimeoutError, EvaluatorUnavailableError

PROJECT = Project(
    id=3, organization_id="o", name="p", api_token="phc_token", created_at=datetime(2024, 1, 1, tzinfo=UTC)
)
Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@contextlib.asynccontextmanager
async def service(handler: Handler) -> AsyncIterator[str]:
    """A loopback TCP server running ``handler`` per connection; yields its base URL."""

    async def guarded(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await handler(reader, writer)
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(guarded, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.close()
        await server.wait_closed()


async def read_request(reader: asyncio.StreamReader) -> tuple[str, dict[str, str], bytes]:
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
    request_line, *header_lines = head.strip().split("\r\n")
    headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in header_lines)}
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return request_line, headers, body


def answer(status: str, body: bytes, content_type: str = "application/json", seen: list[Any] | None = None) -> Handler:
    """A handler that reads the request (into ``seen``, if given) and sends a canned response."""

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        request = await read_request(reader)
        if seen is not None:
            seen.append(request)
        head = f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n\r\n"
        writer.write(head.encode() + body)
        await writer.drain()

    return handler


async def evaluate(base_url: str, timeout_s: float = 5) -> dict[str, EvaluatedFlag]:
    async with httpx.AsyncClient() as client:
        evaluator = HttpFlagEvaluator(client, base_url=base_url, timeout_s=timeout_s)
        return await evaluator.evaluate(PROJECT, distinct_id="user-1", groups={"organization": "acme"})


V2_BODY: dict[str, Any] = {
    "flags": {
        "on": {
            "key": "on",
            "enabled": True,
            "variant": None,
            "reason": {"code": "condition_match", "condition_index": 2, "description": "Matched condition set 3"},
            "metadata": {"id": 1, "version": 4, "description": None, "payload": None},
        },
        "mv": {
            "key": "mv",
            "enabled": True,
            "variant": "test",
            "reason": {"code": "condition_match", "condition_index": 0, "description": "Matched condition set 1"},
            "metadata": {"id": 2, "version": 1, "payload": '{"a": 1}'},
        },
        "broken": {
            "key": "broken",
            "enabled": False,
            "variant": None,
            "failed": True,
            "reason": {"code": "dependency_not_found_cohort", "condition_index": None, "description": None},
            "metadata": {"id": 3, "version": 1},
        },
    },
    "errorsWhileComputingFlags": True,
    "requestId": "0b5a1c7e-0000-4000-8000-000000000000",
    "evaluatedAt": 1700000000000,
}


async def test_the_request_is_a_v2_flags_post_with_token_distinct_id_and_groups() -> None:
    seen: list[tuple[str, dict[str, str], bytes]] = []
    async with service(answer("200 OK", json.dumps(V2_BODY).encode(), seen=seen)) as url:
        await evaluate(url + "/")  # a trailing slash on the base URL is not doubled
    (request_line, headers, body) = seen[0]
    assert request_line == "POST /flags?v=2 HTTP/1.1"
    assert headers["content-type"] == "application/json"
    assert json.loads(body) == {
        "token": "phc_token",
        "distinct_id": "user-1",
        "groups": {"organization": "acme"},
        "evaluation_runtime": "all",
    }


async def test_detailed_records_are_parsed_and_extra_fields_ignored() -> None:
    async with service(answer("200 OK", json.dumps(V2_BODY).encode())) as url:
        results = await evaluate(url)
    assert results == {
        "on": EvaluatedFlag(enabled=True, reason="condition_match", condition_index=2),
        "mv": EvaluatedFlag(enabled=True, variant="test", reason="condition_match", condition_index=0),
        "broken": EvaluatedFlag(enabled=False, reason="dependency_not_found_cohort", failed=True),
    }


async def test_an_unreachable_service_is_unavailable() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # Nothing listens now: the connection is refused.
    with pytest.raises(EvaluatorUnavailableError) as caught:
        await evaluate(f"http://127.0.0.1:{port}")
    assert caught.value.code == "bad_gateway"
    assert "127.0.0.1" not in caught.value.detail  # the internal address stays in the logs


async def test_a_service_that_does_not_answer_in_time_times_out() -> None:
    async def sleepy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        await asyncio.sleep(10)

    async with service(sleepy) as url:
        started = time.monotonic()
        with pytest.raises(EvaluatorTimeoutError) as caught:
            await evaluate(url, timeout_s=0.3)
    assert caught.value.code == "gateway_timeout"
    assert time.monotonic() - started < 3


async def test_the_timeout_bounds_the_whole_exchange_not_each_read() -> None:
    # Every byte arrives well within the timeout, but the whole body takes longer than it.
    async def dripping(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        body = json.dumps({"flags": {}}).encode()
        writer.write(f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\n\r\n".encode())
        for byte in body:
            writer.write(bytes([byte]))
            await writer.drain()
            await asyncio.sleep(0.1)

    async with service(dripping) as url:
        with pytest.raises(EvaluatorTimeoutError):
            await evaluate(url, timeout_s=0.5)


@pytest.mark.parametrize(
    ("status", "body", "content_type"),
    [
        ("500 Internal Server Error", b'{"type":"server_error"}', "application/json"),
        ("503 Service Unavailable", b"", "text/plain"),
        ("401 Unauthorized", b'{"type":"authentication_error","code":"authentication_failed"}', "application/json"),
        ("404 Not Found", b"not here", "text/plain"),
        ("200 OK", b"<html>hello</html>", "text/html"),
        ("200 OK", b"", "application/json"),
        ("200 OK", b'{"featureFlags": {"on": true}}', "application/json"),  # a v1 answer, not v2
        ("200 OK", b'{"flags": {"on": {"enabled": "yes", "reason": {"code": "x"}}}}', "application/json"),
        ("200 OK", b'{"flags": {"on": {"enabled": true}}}', "application/json"),  # no reason
        ("200 OK", b"[1, 2]", "application/json"),
        # Nested past the document cap: refused before decoding (it used to raise RecursionError, a 500).
        # (in a field the adapter skips: skipping a value recurses through it too)
        ("200 OK", b'{"flags": {}, "quotaLimited": ' + b"[" * 5000 + b"]" * 5000 + b"}", "application/json"),
    ],
)
async def test_a_failing_or_garbled_answer_is_unavailable(status: str, body: bytes, content_type: str) -> None:
    async with service(answer(status, body, content_type)) as url:
        with pytest.raises(EvaluatorUnavailableError) as caught:
            await evaluate(url)
    assert caught.value.code == "bad_gateway"
    assert not isinstance(caught.value, EvaluatorTimeoutError)


async def test_a_connection_closed_without_an_answer_is_unavailable() -> None:
    async def hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)

    async with service(hang_up) as url:
        with pytest.raises(EvaluatorUnavailableError):
            await evaluate(url)
