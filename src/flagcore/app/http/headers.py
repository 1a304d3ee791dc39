"""Headers every response carries, and CORS, as one pure ASGI middleware around the whole app.

- ``X-Content-Type-Options: nosniff`` on every response: browsers never guess a type other than the one sent.
- ``Cache-Control: no-store`` on the management API (``/api/...``) unless the route chose its own caching (the
  definitions feed is ``private, must-revalidate`` with an ETag): its answers carry keys and flag data.
- CORS: the evaluation routes (``/flags``, ``/decide``) answer any origin with ``*`` and no credentials, because
  browser SDKs call them from the customer's own site with only the public project key; OFREP (``/ofrep/``) is
  answered the same way for the same reason, and exposes ``ETag`` (the web provider revalidates with it).
  Everything else (the management API, the definitions feed) answers only the origins of
  ``FLAGCORE_CORS_ORIGINS``; any other origin gets no CORS headers, so browsers refuse to hand the answer to the
  page. The capture routes mirror any origin and allow credentials, as PostHog's capture does (posthog-js posts
  events from the customer's site).

It wraps the app rather than running as Litestar middleware so that it also covers responses Litestar produces
without a route (404, 405) and answers preflights before routing. On ``/flags`` it costs one scan of the request
headers and one extra call per response message (measured in docs/performance.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final, cast

from litestar.enums import ScopeType
from litestar.types import ASGIApp, HTTPResponseStartEvent, HTTPScope, Message, Receive, Scope, Send

from flagcore.app.observability.middleware import STATUS_KEY

#: The routes browser SDKs call from any origin (Litestar serves each with and without a trailing slash).
EVALUATION_PATHS: Final = frozenset({"/flags", "/flags/", "/decide", "/decide/"})
#: OFREP: evaluation by project key too, so CORS as for ``EVALUATION_PATHS``.
OFREP_PREFIX: Final = "/ofrep/"
_EXPOSE_ETAG: Final = (b"access-control-expose-headers", b"ETag")
#: Capture routes: CORS as PostHog's capture answers it (the origin mirrored, credentials allowed).
CAPTURE_PATHS: Final = frozenset(
    f"{path}{slash}" for path in ("/batch", "/e", "/i/v0/e", "/capture", "/track", "/engage") for slash in ("", "/")
)
_CREDENTIALS: Final = (b"access-control-allow-credentials", b"true")
_NOSNIFF: Final = (b"x-content-type-options", b"nosniff")
_NO_STORE: Final = (b"cache-control", b"no-store")
_VARY_ORIGIN: Final = (b"vary", b"Origin")
_ALLOW_ORIGIN: Final = b"access-control-allow-origin"
_ANY: Final = b"*"
_PREFLIGHT_MAX_AGE: Final = (b"access-control-max-age", b"600")
_EVALUATION_METHODS: Final = (b"access-control-allow-methods", b"GET, POST, OPTIONS")
_API_METHODS: Final = (b"access-control-allow-methods", b"GET, HEAD, POST, PUT, PATCH, OPTIONS")
_EVALUATION_HEADERS: Final = (_NOSNIFF, (_ALLOW_ORIGIN, _ANY))


class ResponseHeaders:
    """Add the security headers to every HTTP response and answer CORS as described in the module docstring."""

    __slots__ = ("_allowed", "_app")

    def __init__(self, app: ASGIApp, *, allowed_origins: frozenset[str]) -> None:
        self._app = app
        self._allowed = frozenset(origin.encode("latin-1") for origin in allowed_origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self._app(scope, receive, send)
            return
        http: HTTPScope = scope  # narrowed by the check above
        if http["path"] in EVALUATION_PATHS and http["method"] != "OPTIONS":
            # The hot path: no header to look at. "*" is sent with or without an Origin; it grants nothing more.
            await self._app(scope, receive, _adding(http, send, _EVALUATION_HEADERS, no_store=False))
            return
        await self._other(http, receive, send)

    async def _other(self, scope: HTTPScope, receive: Receive, send: Send) -> None:
        path = scope["path"]
        # posthog-js fetches its public remote config (/array/{token}/...) from the site's origin, like /flags.
        ofrep = path.startswith(OFREP_PREFIX)
        evaluation = ofrep or path in EVALUATION_PATHS or path.startswith("/array/")
        capture = path in CAPTURE_PATHS
        origin, preflight_method = _cors_request(scope["headers"])
        allow = _ANY if evaluation else origin if capture or origin in self._allowed else None
        extra = [_NOSNIFF]
        if origin is not None and allow is not None:
            if scope["method"] == "OPTIONS" and preflight_method is not None:
                await _preflight(send, scope["headers"], allow, evaluation=evaluation or capture, credentials=capture)
                return
            extra.append((_ALLOW_ORIGIN, allow))
            if ofrep:
                extra.append(_EXPOSE_ETAG)
            if capture:
                extra.extend((_CREDENTIALS, _VARY_ORIGIN))
        if not evaluation and self._allowed:
            extra.append(_VARY_ORIGIN)  # the answer depends on the Origin header: caches must key on it
        await self._app(scope, receive, _adding(scope, send, tuple(extra), no_store=path.startswith("/api/")))


def _adding(scope: HTTPScope, send: Send, extra: tuple[tuple[bytes, bytes], ...], *, no_store: bool) -> Send:
    """``send`` with ``extra`` headers (and ``no-store`` unless the route set a Cache-Control) on the response start.

    It also keeps the status in the scope (``STATUS_KEY``), for the access log and metrics middleware inside, which
    then needs no ``send`` wrapper of its own.
    """
    raw = cast("dict[str, object]", scope)  # our own key beside the ASGI ones
    raw[STATUS_KEY] = 500  # until the app answers (the server sends a 500 if it fails first)

    async def send_with_headers(message: Message) -> None:
        if message["type"] == "http.response.start":
            raw[STATUS_KEY] = message["status"]
            headers = [*message.get("headers", ()), *extra]
            if no_store and not any(name.lower() == b"cache-control" for name, _ in headers):
                headers.append(_NO_STORE)
            message["headers"] = headers
        await send(message)

    return send_with_headers


def _cors_request(headers: Iterable[tuple[bytes, bytes]]) -> tuple[bytes | None, bytes | None]:
    """The request's ``Origin`` and ``Access-Control-Request-Method`` values (the first of each), if any."""
    origin = method = None
    for name, value in headers:
        if name == b"origin" and origin is None:
            origin = value
        elif name == b"access-control-request-method" and method is None:
            method = value
    return origin, method


async def _preflight(
    send: Send,
    request_headers: Iterable[tuple[bytes, bytes]],
    allow: bytes,
    *,
    evaluation: bool,
    credentials: bool = False,
) -> None:
    """Answer an allowed preflight with 204: the methods of the route family and whatever headers were asked for."""
    headers = [_NOSNIFF, (_ALLOW_ORIGIN, allow), _PREFLIGHT_MAX_AGE, (b"content-length", b"0")]
    headers.append(_EVALUATION_METHODS if evaluation else _API_METHODS)
    if not evaluation or credentials:
        headers.append(_VARY_ORIGIN)
    if credentials:
        headers.append(_CREDENTIALS)
    asked = next((value for name, value in request_headers if name == b"access-control-request-headers"), None)
    if asked:
        # Echoed: the SDKs send content-type (and the management API authorization); there is no header to hide.
        headers.append((b"access-control-allow-headers", asked))
    start: HTTPResponseStartEvent = {"type": "http.response.start", "status": 204, "headers": headers}
    await send(start)
    await send({"type": "http.response.body", "body": b"", "more_body": False})
