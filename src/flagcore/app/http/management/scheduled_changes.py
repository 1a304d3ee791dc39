"""``/api/projects/{project_id}/scheduled_changes/``: PostHog's scheduled changes of flags (full CRUD).

Reading needs ``feature_flag:read``, writing ``feature_flag:write``: a change is a deferred flag write.
"""

from __future__ import annotations

from typing import Any, Final

import msgspec
from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, Request, delete, get, patch, post, put
from litestar.params import FromPath

from flagcore.app.http.auth import FLAG_READ, FLAG_WRITE
from flagcore.app.http.body import decode_json_body
from flagcore.app.http.management.list_query import page_urls, parse_page, request_base_url
from flagcore.app.http.management.scheduled_change_schemas import ScheduledChangeList, ScheduledChangeOut, present
from flagcore.app.http.openapi import PAGINATION, QueryParam, doc
from flagcore.app.http.routes import operation
from flagcore.app.identity.authorize import Access
from flagcore.app.scheduled_changes.manage import (
    CreateScheduledChange,
    DeleteScheduledChange,
    GetScheduledChange,
    ListScheduledChanges,
    UpdateScheduledChange,
)
from flagcore.domain.errors import InvalidInputError
from flagcore.domain.scheduled_changes import ScheduleFields
from flagcore.ports.identity import UserRepo
from flagcore.ports.scheduled_changes import ScheduledChangeQuery

Req = Request[Any, Any, Any]
LIST_QUERY: Final = (
    *PAGINATION,
    QueryParam(name="model_name", description="Exact match, e.g. `FeatureFlag`."),
    QueryParam(name="record_id", description="Exact match: the flag's id."),
)
#: What PUT must carry (PATCH may send any subset).
_PUT_REQUIRED: Final = ("record_id", "model_name", "payload", "scheduled_at")
_WRITE: Final = {**FLAG_WRITE, **doc(body=ScheduleFields)}


class ScheduledChangeController(Controller):
    path = "/"
    tags = ["scheduled_changes"]  # noqa: RUF012 - Litestar reads it as a class attribute

    @get("/", opt={**FLAG_READ, **doc(query=LIST_QUERY)}, operation_id=operation("scheduled_changes_list"))
    @inject
    async def list_changes(
        self,
        request: Req,
        access: FromDishka[Access],
        use_case: FromDishka[ListScheduledChanges],
        users: FromDishka[UserRepo],
    ) -> ScheduledChangeList:
        params = dict(request.query_params)
        limit, offset = parse_page(params)
        query = ScheduledChangeQuery(
            model_name=params.get("model_name") or None,
            record_id=params.get("record_id") or None,
            limit=limit,
            offset=offset,
        )
        page = await use_case.execute(access.project.id, query)
        nxt, prev = page_urls(request_base_url(request), params, limit=limit, offset=offset, count=page.count)
        return ScheduledChangeList(count=page.count, next=nxt, previous=prev, results=await present(page.items, users))

    @post("/", opt=_WRITE, operation_id=operation("scheduled_changes_create"))
    @inject
    async def create_change(
        self,
        request: Req,
        access: FromDishka[Access],
        use_case: FromDishka[CreateScheduledChange],
        users: FromDishka[UserRepo],
    ) -> ScheduledChangeOut:
        fields = decode_json_body(await request.body(), ScheduleFields)
        (out,) = await present([await use_case.execute(access.project.id, access.user.id, fields)], users)
        return out

    @get("/{change_id:int}", opt=FLAG_READ, operation_id=operation("scheduled_changes_retrieve"))
    @inject
    async def retrieve_change(
        self,
        change_id: FromPath[int],
        access: FromDishka[Access],
        use_case: FromDishka[GetScheduledChange],
        users: FromDishka[UserRepo],
    ) -> ScheduledChangeOut:
        (out,) = await present([await use_case.execute(access.project.id, change_id)], users)
        return out

    @patch("/{change_id:int}", opt=_WRITE, operation_id=operation("scheduled_changes_partial_update"))
    @inject
    async def patch_change(
        self,
        request: Req,
        change_id: FromPath[int],
        access: FromDishka[Access],
        use_case: FromDishka[UpdateScheduledChange],
        users: FromDishka[UserRepo],
    ) -> ScheduledChangeOut:
        fields = decode_json_body(await request.body(), ScheduleFields)
        (out,) = await present([await use_case.execute(access.project.id, change_id, fields)], users)
        return out

    @put("/{change_id:int}", opt=_WRITE, operation_id=operation("scheduled_changes_update"))
    @inject
    async def put_change(
        self,
        request: Req,
        change_id: FromPath[int],
        access: FromDishka[Access],
        use_case: FromDishka[UpdateScheduledChange],
        users: FromDishka[UserRepo],
    ) -> ScheduledChangeOut:
        fields = decode_json_body(await request.body(), ScheduleFields)
        for name in _PUT_REQUIRED:
            if getattr(fields, name) is msgspec.UNSET:
                raise InvalidInputError("This field is required.", code="required", attr=name)
        (out,) = await present([await use_case.execute(access.project.id, change_id, fields)], users)
        return out

    @delete("/{change_id:int}", opt=FLAG_WRITE, operation_id=operation("scheduled_changes_destroy"))
    @inject
    async def delete_change(
        self, change_id: FromPath[int], access: FromDishka[Access], use_case: FromDishka[DeleteScheduledChange]
    ) -> None:
        await use_case.execute(access.project.id, change_id)
