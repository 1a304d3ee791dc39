"""Flag custom actions: status, dependents, bulk keys, matching ids, bulk delete, activity.

Routes ``{id}/status/``, ``{id}/dependent_flags/``, ``bulk_keys/``, ``matching_ids/``, ``bulk_delete/``,
``activity/`` and ``{id}/activity/`` (management spec §5.4, §6.1-§6.3, §6.9, §6.10).

Access: PostHog gives ``bulk_keys`` no scope (refusing scoped keys); flagcore has only scoped keys, so it asks for
``feature_flag:read``. The activity routes need ``activity_log:read``, as in PostHog.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final
from urllib.parse import urlencode

import msgspec
from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath

from flagcore.app.flags.actions import (
    MAX_BULK_IDS,
    CheckFlagStatus,
    DependentFlag,
    KeysOfFlags,
    ListDependentFlags,
    MatchingFlagIds,
)
from flagcore.app.flags.activity import ListFlagActivity
from flagcore.app.flags.bulk_delete import BulkDeleteCommand, BulkDeleteFlags, BulkDeleteResult
from flagcore.app.http.auth import ACTIVITY_READ, FLAG_READ, FLAG_WRITE
from flagcore.app.http.body import decode_json_body
from flagcore.app.http.errors import ErrorMessageResponse, error_message_statuses
from flagcore.app.http.management.action_schemas import (
    ActivityItem,
    ActivityList,
    BulkDeleteRequest,
    BulkKeysBody,
    BulkKeysRequest,
    FlagStatusBody,
    MatchingIdsBody,
)
from flagcore.app.http.management.list_query import bounded, parse_flag_query, request_base_url
from flagcore.app.http.openapi import doc
from flagcore.app.http.routes import operation
from flagcore.app.identity.authorize import Access
from flagcore.domain.flags.status import FlagStatus

Req = Request[Any, Any, Any]

#: The filter keys ``bulk_delete`` accepts, as PostHog's list filters.
BULK_DELETE_FILTERS: Final = frozenset(
    {"active", "created_by_id", "search", "type", "evaluation_runtime", "excluded_properties", "tags"}
    | {"has_evaluation_tags"}
)
_MAX_PAGE: Final = 1_000_000


class FlagCustomActionsController(Controller):
    path = "/"
    tags = ["feature_flags"]  # noqa: RUF012 - Litestar reads it as a class attribute

    @get("/{flag_id:int}/status", opt=FLAG_READ, operation_id=operation("feature_flags_status"))
    @inject
    async def status(
        self, flag_id: FromPath[int], access: FromDishka[Access], use_case: FromDishka[CheckFlagStatus]
    ) -> Response[FlagStatusBody]:
        report = await use_case.execute(access.project.id, flag_id)
        body = FlagStatusBody(status=report.status.value, reason=report.reason)
        return Response(body, status_code=404 if report.status is FlagStatus.UNKNOWN else 200)

    @get("/{flag_id:int}/dependent_flags", opt=FLAG_READ, operation_id=operation("feature_flags_dependent_flags"))
    @inject
    async def dependent_flags(
        self, flag_id: FromPath[int], access: FromDishka[Access], use_case: FromDishka[ListDependentFlags]
    ) -> list[DependentFlag]:
        return await use_case.execute(access.project.id, flag_id)

    @post(
        "/bulk_keys",
        opt={**FLAG_READ, **doc(body=BulkKeysRequest, statuses=error_message_statuses(400))},
        operation_id=operation("feature_flags_bulk_keys"),
        status_code=200,
    )
    @inject
    async def bulk_keys(
        self, request: Req, access: FromDishka[Access], use_case: FromDishka[KeysOfFlags]
    ) -> BulkKeysBody:
        ids = decode_json_body(await request.body() or b"{}", BulkKeysRequest).ids or []
        if len(ids) > MAX_BULK_IDS:
            raise ErrorMessageResponse(400, f"At most {MAX_BULK_IDS} flag IDs are allowed")
        if not ids:
            return BulkKeysBody(keys={})
        found = await use_case.execute(access.project.id, ids)
        if len(found.invalid) == len(ids):
            raise ErrorMessageResponse(400, "Invalid flag IDs provided")
        warning = f"Invalid flag IDs ignored: {msgspec.json.encode(found.invalid).decode()}" if found.invalid else None
        return BulkKeysBody(keys=found.keys, warning=warning)

    @get("/matching_ids", opt=FLAG_READ, operation_id=operation("feature_flags_matching_ids"))
    @inject
    async def matching_ids(
        self, request: Req, access: FromDishka[Access], use_case: FromDishka[MatchingFlagIds]
    ) -> MatchingIdsBody:
        params = {k: v for k, v in request.query_params.items() if k not in {"limit", "offset"}}
        ids = await use_case.execute(access.project.id, parse_flag_query(params))
        return MatchingIdsBody(ids=ids, total=len(ids))

    @post(
        "/bulk_delete",
        opt={**FLAG_WRITE, **doc(body=BulkDeleteRequest, statuses=error_message_statuses(400))},
        operation_id=operation("feature_flags_bulk_delete"),
        status_code=200,
    )
    @inject
    async def bulk_delete(
        self, request: Req, access: FromDishka[Access], use_case: FromDishka[BulkDeleteFlags]
    ) -> BulkDeleteResult:
        body = decode_json_body(await request.body() or b"{}", BulkDeleteRequest)
        filters = body.filters if isinstance(body.filters, dict) else None
        ids = body.ids if isinstance(body.ids, list) else None
        if filters is not None and ids is not None:
            raise ErrorMessageResponse(400, "Provide either filters or ids, not both")
        if filters is None and ids is None:
            raise ErrorMessageResponse(400, "Must provide either filters or ids")
        if ids is not None and len(ids) > MAX_BULK_IDS:
            raise ErrorMessageResponse(400, f"At most {MAX_BULK_IDS} flag IDs are allowed")
        cmd = BulkDeleteCommand(project_id=access.project.id, user_id=access.user.id, ids=ids)
        if filters is not None:
            unknown = sorted(set(filters) - BULK_DELETE_FILTERS)
            if unknown:
                raise ErrorMessageResponse(400, f"Unknown filter keys: {', '.join(unknown)}")
            cmd = BulkDeleteCommand(
                project_id=access.project.id, user_id=access.user.id, query=parse_flag_query(_as_params(filters))
            )
        return await use_case.execute(cmd)

    @get("/activity", opt=ACTIVITY_READ, operation_id=operation("feature_flags_all_activity"))
    @inject
    async def all_activity(
        self, request: Req, access: FromDishka[Access], use_case: FromDishka[ListFlagActivity]
    ) -> ActivityList:
        return await _activity(request, access, use_case, flag_id=None)

    @get("/{flag_id:int}/activity", opt=ACTIVITY_READ, operation_id=operation("feature_flags_activity"))
    @inject
    async def flag_activity(
        self, request: Req, flag_id: FromPath[int], access: FromDishka[Access], use_case: FromDishka[ListFlagActivity]
    ) -> ActivityList:
        return await _activity(request, access, use_case, flag_id=flag_id)


async def _activity(request: Req, access: Access, use_case: ListFlagActivity, *, flag_id: int | None) -> ActivityList:
    params = dict(request.query_params)
    limit = bounded(params.get("limit"), "limit", default=10, low=1, high=1000)
    page = bounded(params.get("page"), "page", default=1, low=1, high=_MAX_PAGE)
    found = await use_case.execute(access.project.id, flag_id=flag_id, limit=limit, page=page)
    base = request_base_url(request)

    def link(at: int) -> str:
        return f"{base}?{urlencode({**params, 'limit': str(limit), 'page': str(at)})}"

    return ActivityList(
        results=[ActivityItem.of(entry, found.users) for entry in found.entries],
        next=link(page + 1) if page * limit < found.total_count else None,
        previous=link(page - 1) if page > 1 else None,
        total_count=found.total_count,
    )


def _as_params(filters: Mapping[str, Any]) -> dict[str, str]:
    """``bulk_delete``'s filters as the listing's query parameters (lists as JSON, booleans as true/false)."""
    params: dict[str, str] = {}
    for name, value in filters.items():
        if value is None:
            continue
        if isinstance(value, bool):
            params[name] = "true" if value else "false"
        elif isinstance(value, list | dict):
            params[name] = msgspec.json.encode(value).decode()
        else:
            params[name] = str(value)
    return params
