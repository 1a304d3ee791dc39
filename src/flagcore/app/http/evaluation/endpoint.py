"""Flag evaluation routes for client and server SDKs: ``/flags`` and its legacy twin ``/decide`` (GET and POST).

Public: the caller proves nothing but knowing the project's public API key, sent in the request itself.
Kept lean on purpose (this is the hot path; measurements in docs/performance.md). The handlers take no parameter
and return :class:`EvaluationEndpoint`, an ASGI app that reads the raw scope, so Litestar's per-request argument
machinery (its signature model, ``Request``'s headers and body stream) and response conversion are skipped, about
15 µs a request. Litestar still routes to them, applies their options (auth rule, OpenAPI) and turns exceptions
raised while the endpoint runs into error responses: it runs the returned app inside the route's exception
handling, and the endpoint sends nothing before the whole body is ready. The APP-scoped use case is looked up once
per app rather than through dishka's request container (about 5 µs).

A GET without a token answers, as PostHog's server does, with an empty flag set and the client configuration
(browsers probe it); a GET with a token is evaluated from its query parameters, like a POST body.
"""

from __future__ import annotations

from typing import Final, cast

from litestar import Litestar, route
from litestar.enums import HttpMethod
from litestar.types import ASGIApp, HTTPScope, Receive, Scope, Send

from flagcore.app.evaluation.evaluate_flags import EvaluateFlags
from flagcore.app.http.asgi import app_scoped, scope_headers
from flagcore.app.http.auth import PROJECT_TOKEN_ROUTE
from flagcore.app.http.evaluation.flags_request import (
    MAX_BODY_BYTES,
    build_command,
    decode_body,
    parse_query,
    query_payload,
    read_body,
    token_of,
)
from flagcore.app.http.evaluation.flags_response import parse_version, render, response_shape
from flagcore.app.http.evaluation.schemas import BODY_MEDIA_TYPES, EVALUATION_QUERY, FlagsRequest, FlagsResponse
from flagcore.app.http.openapi import doc
from flagcore.app.http.routes import operation
from flagcore.app.observability.evaluations import count_evaluations
from flagcore.app.observability.request_id import REQUEST_ID_KEY, new_request_id

_METHODS: Final = (HttpMethod.GET, HttpMethod.POST)
_TRUE: Final = frozenset({"", "true", "1", "yes", "on"})
_JSON: Final = (b"content-type", b"application/json")
_EVALUATION_OPT: Final = {
    **PROJECT_TOKEN_ROUTE,
    **doc(
        body=FlagsRequest,
        body_media_types=BODY_MEDIA_TYPES,
        query=EVALUATION_QUERY,
        response=FlagsResponse,
        errors=[413],
    ),
}


class EvaluationEndpoint:
    """``/flags`` or ``/decide`` as an ASGI app: decode the request, evaluate, answer in the version asked for."""

    __slots__ = ("_decide",)

    def __init__(self, *, decide: bool) -> None:
        self._decide = decide

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.respond(send, await self.answer(cast("HTTPScope", scope), receive))  # an HTTP route's scope

    @staticmethod
    async def respond(send: Send, body: bytes) -> None:
        """Send ``body``, the whole answer, as a 200 JSON response."""
        length = (b"content-length", b"%d" % len(body))
        await send({"type": "http.response.start", "status": 200, "headers": [_JSON, length]})
        await send({"type": "http.response.body", "body": body, "more_body": False})

    async def answer(self, scope: HTTPScope, receive: Receive) -> bytes:
        """The JSON body answering the request (errors are raised, for the app's exception handlers)."""
        headers = scope_headers(scope["headers"])
        query = parse_query(scope["query_string"])
        use_case = await app_scoped(Litestar.from_scope(scope), EvaluateFlags)
        # PostHog's proxy forwards /decide to the flags service with this header; honour it behind such a proxy too.
        decide = self._decide or headers.get("x-original-endpoint") == "decide"
        version = parse_version(query.get("v") or query.get("version"))
        config = query.get("config")
        wants_config = decide if config is None else config.lower() in _TRUE
        shape = response_shape(decide=decide, version=version)
        if scope["method"] == "GET":
            if not token_of({}, query):
                return render(use_case.empty(), shape, request_id=_request_id(scope, headers), config=True)
            payload = query_payload(query)
        else:
            payload = decode_body(
                await read_body(receive, headers.get("content-length")),
                content_type=headers.get("content-type"),
                content_encoding=headers.get("content-encoding"),
                compression=(query.get("compression") or "").lower() or None,
            )
        cmd = build_command(payload, query, user_agent=headers.get("user-agent"), headers=headers)
        evaluation = await use_case.execute(cmd)
        count_evaluations(scope, evaluation.flags)
        return render(evaluation, shape, request_id=_request_id(scope, headers), config=wants_config)


def _request_id(scope: HTTPScope, headers: dict[str, str]) -> str:
    # Made here from the headers already read, and left in the scope for the access line (the middleware, which
    # would otherwise have the log writer derive one, reads it there).
    raw = cast("dict[str, object]", scope)  # our own key in the scope
    made = cast("str | None", raw.get(REQUEST_ID_KEY))
    if made is None:
        made = raw[REQUEST_ID_KEY] = new_request_id(headers.get("x-request-id"))
    return made


#: The endpoints, shared by their Litestar routes and the dispatcher in front of them (``app/http/fast_paths.py``).
FLAGS_ENDPOINT: Final = EvaluationEndpoint(decide=False)
DECIDE_ENDPOINT: Final = EvaluationEndpoint(decide=True)


@route(
    "/flags",
    http_method=_METHODS,
    status_code=200,
    opt=_EVALUATION_OPT,
    request_max_body_size=MAX_BODY_BYTES,
    operation_id=operation("flags", per_method=True),  # one handler, two operations
    tags=["evaluation"],
)
async def flags() -> ASGIApp:
    return FLAGS_ENDPOINT


@route(
    "/decide",
    http_method=_METHODS,
    status_code=200,
    opt=_EVALUATION_OPT,
    request_max_body_size=MAX_BODY_BYTES,
    operation_id=operation("decide", per_method=True),
    tags=["evaluation"],
)
async def decide() -> ASGIApp:
    return DECIDE_ENDPOINT
