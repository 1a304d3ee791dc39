"""The local-evaluation definitions feed for server SDKs, with ETag / If-None-Match (304).

Served as stored bytes: nothing is decoded or re-encoded per request.
"""

from __future__ import annotations

from typing import Any, Final

from dishka.integrations.litestar import FromDishka, inject
from litestar import Request, Response, get

from flagcore.app.evaluation.definitions import LoadDefinitions
from flagcore.app.http.auth import FEED_ROUTE
from flagcore.domain.identity import Project
from flagcore.ports.snapshots import EncodedSnapshot

_CACHE_CONTROL: Final = "private, must-revalidate"
_TRUE: Final = frozenset({"", "true", "1", "yes", "on"})


def wants_cohorts(request: Request[Any, Any, Any]) -> bool:
    """``?send_cohorts`` with no value counts as true, as PostHog reads it."""
    value = request.query_params.get("send_cohorts")
    return value is not None and value.lower() in _TRUE


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    return any(tag.strip().removeprefix("W/").strip('"') == etag for tag in if_none_match.split(","))


def feed_response(request: Request[Any, Any, Any], feed: EncodedSnapshot) -> Response[bytes]:
    headers = {"ETag": f'W/"{feed.etag}"', "Cache-Control": _CACHE_CONTROL}
    if etag_matches(request.headers.get("if-none-match"), feed.etag):
        return Response(content=b"", status_code=304, headers=headers)
    return Response(content=feed.body, status_code=200, headers=headers, media_type="application/json")


async def _serve(request: Request[Any, Any, Any], project: Project, use_case: LoadDefinitions) -> Response[bytes]:
    return feed_response(request, await use_case.execute(project, with_cohorts=wants_cohorts(request)))


@get("/flags/definitions", opt=FEED_ROUTE, operation_id="flag_definitions", tags=["evaluation"])
@inject
async def flag_definitions(
    request: Request[Any, Any, Any], project: FromDishka[Project], use_case: FromDishka[LoadDefinitions]
) -> Response[bytes]:
    return await _serve(request, project, use_case)


@get("/api/feature_flag/local_evaluation", opt=FEED_ROUTE, operation_id="legacy_local_evaluation", tags=["evaluation"])
@inject
async def legacy_local_evaluation(
    request: Request[Any, Any, Any], project: FromDishka[Project], use_case: FromDishka[LoadDefinitions]
) -> Response[bytes]:
    return await _serve(request, project, use_case)


@get(
    "/api/projects/{project_id:str}/feature_flags/local_evaluation",
    opt=FEED_ROUTE,
    operation_id="feature_flags_local_evaluation",
    tags=["feature_flags"],
)
@inject
async def project_local_evaluation(
    request: Request[Any, Any, Any], project: FromDishka[Project], use_case: FromDishka[LoadDefinitions]
) -> Response[bytes]:
    return await _serve(request, project, use_case)
