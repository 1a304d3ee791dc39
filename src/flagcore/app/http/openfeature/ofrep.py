"""OFREP remote evaluation: ``POST /ofrep/v1/evaluate/flags/{key}`` and the bulk ``POST /ofrep/v1/evaluate/flags``.

Auth: the project API key (``phc_``) as ``Authorization: Bearer`` or ``X-API-Key``. The bulk response carries an
ETag over its exact bytes, so it changes when the flags or this context's results do; ``If-None-Match`` with it
answers 304 without a body.
"""

from __future__ import annotations

import hashlib
from typing import Any, Final

import msgspec
from dishka.integrations.litestar import FromDishka, inject
from litestar import MediaType, Request, Response, Router, post
from litestar.params import FromPath

from flagcore.app.http.auth import PROJECT_TOKEN_ROUTE
from flagcore.app.http.body import decode_json_body
from flagcore.app.http.openapi import doc
from flagcore.app.http.openfeature.errors import OFREP_EXCEPTION_HANDLERS
from flagcore.app.http.openfeature.schemas import (
    OfrepBulk,
    OfrepContextBody,
    OfrepRequestFailure,
    OfrepResult,
    ofrep_item,
)
from flagcore.app.identity.authenticate import bearer_token
from flagcore.app.openfeature.evaluate_ofrep import EvaluateOfrep
from flagcore.domain.openfeature.ofrep import FLAG_NOT_FOUND

Req = Request[Any, Any, Any]
_STATUS_OF_FAILURE: Final = {FLAG_NOT_FOUND: 404}

_ERRORS: Final = (OfrepResult, OfrepRequestFailure)
_SINGLE_OPT: Final = {**PROJECT_TOKEN_ROUTE, **doc(body=OfrepContextBody, error_body=_ERRORS)}
_BULK_OPT: Final = {
    **PROJECT_TOKEN_ROUTE,
    **doc(
        body=OfrepContextBody,
        response=OfrepBulk,
        error_body=_ERRORS,
        statuses=[(304, "Not modified: the `If-None-Match` ETag is current.", None)],
    ),
}


def _token(request: Req) -> str | None:
    return bearer_token(request.headers.get("authorization")) or request.headers.get("x-api-key") or None


@post("/evaluate/flags/{key:str}", opt=_SINGLE_OPT, operation_id="ofrep_evaluate_flag", status_code=200)
@inject
async def evaluate_flag(request: Req, key: FromPath[str], use_case: FromDishka[EvaluateOfrep]) -> Response[OfrepResult]:
    project = await use_case.authenticate(_token(request))
    body = decode_json_body(await request.body(), Any)
    item = ofrep_item(await use_case.single(project, key, body))
    status = _STATUS_OF_FAILURE.get(str(item.error_code), 400) if item.failed else 200
    return Response(item, status_code=status)


@post("/evaluate/flags", opt=_BULK_OPT, operation_id="ofrep_evaluate_flags", status_code=200)
@inject
async def evaluate_flags(request: Req, use_case: FromDishka[EvaluateOfrep]) -> Response[OfrepBulk | None]:
    project = await use_case.authenticate(_token(request))
    body = decode_json_body(await request.body(), Any)
    content = msgspec.json.encode(OfrepBulk(flags=[ofrep_item(r) for r in await use_case.bulk(project, body)]))
    etag = f'"{hashlib.blake2b(content, digest_size=16).hexdigest()}"'
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    if _matches(request.headers.get("if-none-match"), etag):
        return Response(None, status_code=304, headers=headers)
    return Response(content, media_type=MediaType.JSON, headers=headers)  # type: ignore[arg-type]


def _matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    candidates = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in candidates or etag in candidates


def ofrep_router() -> Router:
    """The OFREP routes under ``/ofrep/v1``, with OFREP's error bodies."""
    return Router(
        path="/ofrep/v1",
        route_handlers=[evaluate_flag, evaluate_flags],
        exception_handlers=OFREP_EXCEPTION_HANDLERS,
        tags=["ofrep"],
    )
