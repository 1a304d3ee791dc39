"""``/api/projects/{project_id}/approval_policies/``: PostHog's approval policies (organization admins write)."""

from __future__ import annotations

from typing import Any, Final

from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, Request, delete, get, patch, post, put
from litestar.params import FromPath

from flagcore.app.approvals.policies import (
    DeleteApprovalPolicy,
    GetApprovalPolicy,
    ListApprovalPolicies,
    PolicyWrite,
    WriteApprovalPolicy,
)
from flagcore.app.http.approvals.change_requests import APPROVALS_READ, APPROVALS_WRITE
from flagcore.app.http.approvals.schemas import PolicyBody, PolicyList, PolicyOut, policy_out
from flagcore.app.http.body import decode_json_body
from flagcore.app.http.management.list_query import page_urls, request_base_url
from flagcore.app.http.openapi import QueryParam, doc
from flagcore.app.http.routes import operation
from flagcore.app.identity.authorize import Access
from flagcore.domain.errors import InvalidInputError

Req = Request[Any, Any, Any]
_LIST_FILTERS: Final = (
    QueryParam(name="action_key", description="Only this action's policies."),
    QueryParam(name="enabled", description="`true` or `false`."),
)
_WRITE: Final = {**APPROVALS_WRITE, **doc(body=PolicyBody)}


def _enabled(raw: str | None) -> bool | None:
    if raw is None or not raw:
        return None
    if raw.lower() in ("true", "1"):
        return True
    if raw.lower() in ("false", "0"):
        return False
    raise InvalidInputError("Must be a valid boolean.", code="invalid", attr="enabled")


async def _body(request: Req) -> dict[str, Any]:
    return decode_json_body(await request.body(), dict[str, Any])


class ApprovalPolicyController(Controller):
    path = "/"
    tags = ["approvals"]  # noqa: RUF012 - Litestar reads it as a class attribute

    @get("/", opt={**APPROVALS_READ, **doc(query=_LIST_FILTERS)}, operation_id=operation("approval_policies_list"))
    @inject
    async def list_policies(
        self, request: Req, access: FromDishka[Access], use_case: FromDishka[ListApprovalPolicies]
    ) -> PolicyList:
        params = dict(request.query_params)
        views = await use_case.execute(
            access.project, action_key=params.get("action_key") or None, enabled=_enabled(params.get("enabled"))
        )
        nxt, prev = page_urls(request_base_url(request), params, limit=max(len(views), 1), offset=0, count=len(views))
        return PolicyList(count=len(views), next=nxt, previous=prev, results=[policy_out(v) for v in views])

    @post("/", opt=_WRITE, operation_id=operation("approval_policies_create"))
    @inject
    async def create_policy(
        self, request: Req, access: FromDishka[Access], use_case: FromDishka[WriteApprovalPolicy]
    ) -> PolicyOut:
        cmd = PolicyWrite(
            project=access.project, membership=access.membership, user_id=access.user.id, body=await _body(request)
        )
        return policy_out(await use_case.execute(cmd))

    @get("/{policy_id:str}", opt=APPROVALS_READ, operation_id=operation("approval_policies_retrieve"))
    @inject
    async def retrieve_policy(
        self, policy_id: FromPath[str], access: FromDishka[Access], use_case: FromDishka[GetApprovalPolicy]
    ) -> PolicyOut:
        return policy_out(await use_case.execute(access.project, policy_id))

    @patch("/{policy_id:str}", opt=_WRITE, operation_id=operation("approval_policies_partial_update"))
    @inject
    async def patch_policy(
        self,
        request: Req,
        policy_id: FromPath[str],
        access: FromDishka[Access],
        use_case: FromDishka[WriteApprovalPolicy],
    ) -> PolicyOut:
        return policy_out(await use_case.execute(await _write(request, access, policy_id, full=False)))

    @put("/{policy_id:str}", opt=_WRITE, operation_id=operation("approval_policies_update"))
    @inject
    async def put_policy(
        self,
        request: Req,
        policy_id: FromPath[str],
        access: FromDishka[Access],
        use_case: FromDishka[WriteApprovalPolicy],
    ) -> PolicyOut:
        return policy_out(await use_case.execute(await _write(request, access, policy_id, full=True)))

    @delete("/{policy_id:str}", opt=APPROVALS_WRITE, operation_id=operation("approval_policies_destroy"))
    @inject
    async def delete_policy(
        self, policy_id: FromPath[str], access: FromDishka[Access], use_case: FromDishka[DeleteApprovalPolicy]
    ) -> None:
        await use_case.execute(access.project, access.membership, policy_id)


async def _write(request: Req, access: Access, policy_id: str, *, full: bool) -> PolicyWrite:
    return PolicyWrite(
        project=access.project,
        membership=access.membership,
        user_id=access.user.id,
        body=await _body(request),
        policy_id=policy_id,
        full=full,
    )
