"""Flag evaluation routes for client and server SDKs: ``/flags`` and its legacy twin ``/decide`` (GET and POST).

Public: the caller proves nothing but knowing the project's public API key, sent in the request itself.
Kept lean on purpose (this is the hot path): one APP-scoped dependency, bytes encoded once with msgspec.

A GET without a token answers, as PostHog's server does, with an empty flag set and the client configuration
(browsers probe it); a GET with a token is evaluated from its query parameters, like a POST body.
"""

from __future__ import annotations

import uuid
from typing import Any, Final

from dishka.integrations.litestar import FromDishka, inject
from litestar import MediaType, Request, Response, route
from litestar.enums import HttpMethod
from litestar.handlers import HTTPRouteHandler
from litestar.types import Method, OperationIDCreator
from litestar.types.internal_types import PathParameterDefinition

from flagcore.app.evaluation.evaluate_flags import EvaluateFlags
from flagcore.app.http.auth import PROJECT_TOKEN_ROUTE
from flagcore.app.http.flags_request import MAX_BODY_BYTES, build_command, decode_body, query_payload, token_of
from flagcore.app.http.flags_response import parse_version, render, response_shape

Req = Request[Any, Any, Any]

_METHODS: Final = (HttpMethod.GET, HttpMethod.POST)
_TRUE: Final = frozenset({"", "true", "1", "yes", "on"})


async def evaluate(request: Req, use_case: EvaluateFlags, *, decide: bool) -> Response[bytes]:
    """Decode the request, evaluate, render the version asked for."""
    # PostHog's proxy forwards /decide to the flags service with this header; honour it behind such a proxy too.
    decide = decide or request.headers.get("x-original-endpoint") == "decide"
    query = request.query_params
    version = parse_version(query.get("v") or query.get("version"))
    config = query.get("config")
    wants_config = decide if config is None else config.lower() in _TRUE
    shape = response_shape(decide=decide, version=version)
    if request.method == "GET" and not token_of({}, query):
        return _json(render(use_case.empty(), shape, request_id=_request_id(request), config=True))
    payload = await _payload(request)
    cmd = build_command(payload, query, user_agent=request.headers.get("user-agent"), headers=request.headers)
    evaluation = await use_case.execute(cmd)
    return _json(render(evaluation, shape, request_id=_request_id(request), config=wants_config))


async def _payload(request: Req) -> dict[str, Any]:
    if request.method == "GET":
        return query_payload(request.query_params)
    return decode_body(
        await request.body(),
        content_type=request.headers.get("content-type"),
        content_encoding=request.headers.get("content-encoding"),
        compression=(request.query_params.get("compression") or "").lower() or None,
    )


def _request_id(request: Req) -> str:
    # A caller-supplied X-Request-Id that is a UUID is kept, so logs can be followed across proxies.
    supplied = request.headers.get("x-request-id")
    if supplied:
        try:
            return str(uuid.UUID(supplied))
        except ValueError:
            pass
    return str(uuid.uuid4())


def _operation_id(name: str) -> OperationIDCreator:
    # One handler serves GET and POST, and OpenAPI needs an id per operation.
    def create(_handler: HTTPRouteHandler, method: Method, _path: list[str | PathParameterDefinition]) -> str:
        return f"{name}_{method.lower()}"

    return create


def _json(body: bytes) -> Response[bytes]:
    return Response(content=body, media_type=MediaType.JSON, status_code=200)


@route(
    "/flags",
    http_method=_METHODS,
    status_code=200,
    opt=PROJECT_TOKEN_ROUTE,
    request_max_body_size=MAX_BODY_BYTES,
    operation_id=_operation_id("flags"),
    tags=["evaluation"],
)
@inject
async def flags(request: Req, use_case: FromDishka[EvaluateFlags]) -> Response[bytes]:
    return await evaluate(request, use_case, decide=False)


@route(
    "/decide",
    http_method=_METHODS,
    status_code=200,
    opt=PROJECT_TOKEN_ROUTE,
    request_max_body_size=MAX_BODY_BYTES,
    operation_id=_operation_id("decide"),
    tags=["evaluation"],
)
@inject
async def decide(request: Req, use_case: FromDishka[EvaluateFlags]) -> Response[bytes]:
    return await evaluate(request, use_case, decide=True)
