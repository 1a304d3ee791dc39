"""Capture routes (persons spec §1.1, §1.4): what posthog-js, posthog-python and posthog-node post their events to.

Each accepts GET (``?data=``), POST and OPTIONS, with or without a trailing slash. The body is bounded before it is
read (20 MiB on ``/batch``, 2 MiB elsewhere) and again after it is decompressed. Accepted events are queued for the
ingestion worker; the answer does not wait for them to be applied.
"""

from __future__ import annotations

from typing import Any, Final

import msgspec
from dishka.integrations.litestar import FromDishka, inject
from litestar import Request, Response, route
from litestar.enums import HttpMethod
from litestar.handlers import HTTPRouteHandler
from litestar.types import Method
from litestar.types.internal_types import PathParameterDefinition

from flagcore.app.http.auth import PROJECT_TOKEN_ROUTE
from flagcore.app.http.capture.payload import decode_capture
from flagcore.app.http.openapi import doc
from flagcore.app.persons.capture_events import CaptureCommand, CaptureEvents

BATCH_BODY_BYTES: Final = 20 * 1024 * 1024
EVENT_BODY_BYTES: Final = 2 * 1024 * 1024
EVENT_PATHS: Final = ("/e", "/i/v0/e", "/capture", "/track", "/engage")
_METHODS: Final = [HttpMethod.GET, HttpMethod.POST, HttpMethod.OPTIONS]


class CaptureOk(msgspec.Struct, frozen=True):
    """The success body of PostHog's capture (``CaptureResponseCode::Ok``)."""

    status: str = "Ok"


class CaptureBody(msgspec.Struct, kw_only=True):
    """For the API documentation: an event, or a batch (``batch``); also as a form (``data=``), base64, gzip, lz64.

    Decoded leniently by ``decode_capture``, as PostHog's capture reads it; never used to decode.
    """

    api_key: str | msgspec.UnsetType = msgspec.UNSET
    token: str | msgspec.UnsetType = msgspec.UNSET
    event: str | msgspec.UnsetType = msgspec.UNSET
    distinct_id: str | int | msgspec.UnsetType = msgspec.UNSET
    properties: dict[str, Any] | msgspec.UnsetType = msgspec.UNSET
    timestamp: str | msgspec.UnsetType = msgspec.UNSET
    batch: list[dict[str, Any]] | msgspec.UnsetType = msgspec.UNSET


_CAPTURE_DOC: Final = doc(
    body=CaptureBody,
    body_media_types=("application/json", "application/x-www-form-urlencoded", "text/plain"),
    response=CaptureOk,
    statuses=[(204, "Accepted (`beacon=1`).", None)],
)


def _operation_id(_handler: HTTPRouteHandler, method: Method, path: list[str | PathParameterDefinition]) -> str:
    # One handler serves several paths: the path makes each operation id unique.
    name = "_".join(str(part) for part in path).replace("/", "_").strip("_")
    return f"capture_{name}_{method.lower()}"


async def _capture(request: Request[Any, Any, Any], use_case: CaptureEvents, limit: int) -> Response[CaptureOk | None]:
    query = {name: request.query_params[name] for name in request.query_params}
    if request.method == HttpMethod.OPTIONS:
        return Response(CaptureOk(), status_code=200)
    payload = decode_capture(
        await request.body(), query=query, headers=request.headers, path=request.url.path, limit=limit
    )
    await use_case.execute(CaptureCommand(events=payload.events, token=payload.token))
    if query.get("beacon") == "1":
        return Response(None, status_code=204)
    return Response(CaptureOk(), status_code=200)


@route(
    ["/batch"],
    http_method=_METHODS,
    status_code=200,
    opt={**PROJECT_TOKEN_ROUTE, **_CAPTURE_DOC},
    request_max_body_size=BATCH_BODY_BYTES,
    operation_id=_operation_id,
    tags=["capture"],
)
@inject
async def capture_batch(
    request: Request[Any, Any, Any], use_case: FromDishka[CaptureEvents]
) -> Response[CaptureOk | None]:
    return await _capture(request, use_case, BATCH_BODY_BYTES)


@route(
    list(EVENT_PATHS),
    http_method=_METHODS,
    status_code=200,
    opt={**PROJECT_TOKEN_ROUTE, **_CAPTURE_DOC},
    request_max_body_size=EVENT_BODY_BYTES,
    operation_id=_operation_id,
    tags=["capture"],
)
@inject
async def capture_event(
    request: Request[Any, Any, Any], use_case: FromDishka[CaptureEvents]
) -> Response[CaptureOk | None]:
    return await _capture(request, use_case, EVENT_BODY_BYTES)
