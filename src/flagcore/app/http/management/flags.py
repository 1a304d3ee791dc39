"""Flag management routes: ``/api/projects/{project_id}/feature_flags/``. Thin: decode, call a use case, render."""

from __future__ import annotations

from typing import Any, Final

from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, Request, delete, get, patch, post, put
from litestar.exceptions import MethodNotAllowedException
from litestar.params import FromPath

from flagcore.app.flags.create_flag import CreateFlag, CreateFlagCommand
from flagcore.app.flags.queries import GetFlag, ListFlags
from flagcore.app.flags.update_flag import UpdateFlag, UpdateFlagCommand
from flagcore.app.http.approvals.schemas import ApprovalRequiredOut
from flagcore.app.http.auth import FLAG_READ, FLAG_WRITE
from flagcore.app.http.body import decode_json_body
from flagcore.app.http.errors import ErrorBody
from flagcore.app.http.management.list_query import FLAG_LIST_QUERY, page_links, parse_flag_query, request_base_url
from flagcore.app.http.management.presenter import FlagPresenter
from flagcore.app.http.management.schemas import Flag, FlagList, FlagWrite
from flagcore.app.http.openapi import doc
from flagcore.app.http.routes import operation
from flagcore.app.identity.authorize import Access

Req = Request[Any, Any, Any]


#: A flag update answers 409 for a stale ``version`` (PostHog's error body) or when an approval policy gates it.
GATED_WRITE: Final = [
    (409, "A stale `version`, or approval required: the change request made for it.", (ApprovalRequiredOut, ErrorBody))
]


class FeatureFlagController(Controller):
    path = "/"
    tags = ["feature_flags"]  # noqa: RUF012 - Litestar reads it as a class attribute

    @get("/", opt={**FLAG_READ, **doc(query=FLAG_LIST_QUERY)}, operation_id=operation("feature_flags_list"))
    @inject
    async def list_flags(
        self, request: Req, access: FromDishka[Access], use_case: FromDishka[ListFlags], view: FromDishka[FlagPresenter]
    ) -> FlagList:
        params = dict(request.query_params)
        query = parse_flag_query(params)
        page = await use_case.execute(access.project.id, query)
        nxt, prev = page_links(request_base_url(request), params, query, page.count)
        return FlagList(count=page.count, next=nxt, previous=prev, results=await view.many(page.items))

    @post("/", opt={**FLAG_WRITE, **doc(body=FlagWrite, errors=[409])}, operation_id=operation("feature_flags_create"))
    @inject
    async def create_flag(
        self,
        request: Req,
        access: FromDishka[Access],
        use_case: FromDishka[CreateFlag],
        view: FromDishka[FlagPresenter],
    ) -> Flag:
        body = decode_json_body(await request.body(), FlagWrite)
        cmd = CreateFlagCommand(project_id=access.project.id, user_id=access.user.id, fields=body.changes())
        return await view.one(await use_case.execute(cmd))

    @get("/{flag_id:int}", opt=FLAG_READ, operation_id=operation("feature_flags_retrieve"))
    @inject
    async def retrieve_flag(
        self,
        flag_id: FromPath[int],
        access: FromDishka[Access],
        use_case: FromDishka[GetFlag],
        view: FromDishka[FlagPresenter],
    ) -> Flag:
        return await view.one(await use_case.execute(access.project.id, flag_id))

    @patch(
        "/{flag_id:int}",
        opt={**FLAG_WRITE, **doc(body=FlagWrite, statuses=GATED_WRITE)},
        operation_id=operation("feature_flags_partial_update"),
    )
    @inject
    async def patch_flag(
        self,
        request: Req,
        flag_id: FromPath[int],
        access: FromDishka[Access],
        use_case: FromDishka[UpdateFlag],
        view: FromDishka[FlagPresenter],
    ) -> Flag:
        return await view.one(await use_case.execute(await _update_command(request, access, flag_id, is_put=False)))

    @put(
        "/{flag_id:int}",
        opt={**FLAG_WRITE, **doc(body=FlagWrite, statuses=GATED_WRITE)},
        operation_id=operation("feature_flags_update"),
    )
    @inject
    async def put_flag(
        self,
        request: Req,
        flag_id: FromPath[int],
        access: FromDishka[Access],
        use_case: FromDishka[UpdateFlag],
        view: FromDishka[FlagPresenter],
    ) -> Flag:
        return await view.one(await use_case.execute(await _update_command(request, access, flag_id, is_put=True)))

    @delete("/{flag_id:int}", opt=FLAG_WRITE, operation_id=operation("feature_flags_destroy"), status_code=405)
    @inject
    async def delete_flag(self, flag_id: FromPath[int], access: FromDishka[Access]) -> None:
        # PostHog never hard-deletes through the API: soft delete is PATCH {"deleted": true}. Raised, so that the
        # error mapper answers with PostHog's 405 body and the Allow header.
        del flag_id, access
        raise MethodNotAllowedException(headers={"Allow": "GET, PUT, PATCH, HEAD, OPTIONS"})


async def _update_command(request: Req, access: Access, flag_id: FromPath[int], *, is_put: bool) -> UpdateFlagCommand:
    body = decode_json_body(await request.body(), FlagWrite)
    return UpdateFlagCommand(
        project_id=access.project.id,
        flag_id=flag_id,
        user_id=access.user.id,
        changes=body.changes(),
        expected_version=body.expected_version,
        full_update=is_put,
    )
