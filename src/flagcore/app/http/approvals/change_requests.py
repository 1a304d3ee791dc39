"""``/api/projects/{project_id}/change_requests/``: PostHog's change requests (read, approve, reject, cancel).

There is no create: change requests are made by gated flag writes, which answer 409 with the request.
"""

from __future__ import annotations

from typing import Any, Final

from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, Request, get, post
from litestar.params import FromPath

from flagcore.app.approvals.change_requests import (
    Action,
    ActOnChangeRequest,
    ChangeRequestAction,
    GetChangeRequest,
    ListChangeRequests,
)
from flagcore.app.http.approvals.schemas import (
    ActionBody,
    ActionOut,
    ChangeRequestList,
    ChangeRequestOut,
    action_out,
    change_request_out,
)
from flagcore.app.http.auth import rule
from flagcore.app.http.body import decode_json_body
from flagcore.app.http.errors import error_message_statuses
from flagcore.app.http.management.list_query import page_urls, parse_page, request_base_url
from flagcore.app.http.openapi import PAGINATION, QueryParam, doc
from flagcore.app.http.routes import operation
from flagcore.app.identity.authorize import Access
from flagcore.domain.approvals import ChangeRequestState
from flagcore.domain.errors import InvalidInputError
from flagcore.domain.identity import Target
from flagcore.domain.ids import parse_id
from flagcore.ports.approvals import ChangeRequestQuery

Req = Request[Any, Any, Any]
APPROVALS_READ: Final = rule(Target.PROJECT, "approvals:read")
APPROVALS_WRITE: Final = rule(Target.PROJECT, "approvals:write")
_FILTERS: Final = (
    QueryParam(name="state", description="Comma-separated states: `pending,approved,applied,rejected,expired,failed`."),
    QueryParam(name="action_key", description="Only this action (`feature_flag.enable`...)."),
    QueryParam(name="requester", description="Only requests made by this user id.", type=int),
    QueryParam(name="resource_type", description="Only this resource type (`feature_flag`)."),
    QueryParam(name="resource_id", description="Only requests on this resource (a flag id)."),
    *PAGINATION,
)
_ACTION: Final = doc(body=ActionBody, statuses=error_message_statuses(400))


def _query(params: dict[str, str]) -> ChangeRequestQuery:
    limit, offset = parse_page(params)
    states: set[ChangeRequestState] = set()
    for raw in filter(None, (params.get("state") or "").split(",")):
        try:
            states.add(ChangeRequestState(raw.strip()))
        except ValueError:
            message = f"Select a valid choice. {raw} is not one of the available choices."
            raise InvalidInputError(message, code="invalid_choice", attr="state") from None
    requester = params.get("requester") or None
    requester_id = parse_id(requester) if requester is not None else None
    if requester is not None and requester_id is None:  # not digits, or beyond any id (the column would overflow)
        raise InvalidInputError("Enter a number.", code="invalid", attr="requester")
    return ChangeRequestQuery(
        states=frozenset(states),
        action_key=params.get("action_key") or None,
        requester_id=requester_id,
        resource_type=params.get("resource_type") or None,
        resource_id=params.get("resource_id") or None,
        limit=limit,
        offset=offset,
    )


class ChangeRequestController(Controller):
    path = "/"
    tags = ["approvals"]  # noqa: RUF012 - Litestar reads it as a class attribute

    @get("/", opt={**APPROVALS_READ, **doc(query=_FILTERS)}, operation_id=operation("change_requests_list"))
    @inject
    async def list_requests(
        self, request: Req, access: FromDishka[Access], use_case: FromDishka[ListChangeRequests]
    ) -> ChangeRequestList:
        params = dict(request.query_params)
        query = _query(params)
        project = access.project
        page = await use_case.execute(project.id, project.organization_id, access.user.id, query)
        nxt, prev = page_urls(
            request_base_url(request), params, limit=query.limit, offset=query.offset, count=page.count
        )
        return ChangeRequestList(
            count=page.count, next=nxt, previous=prev, results=[change_request_out(v) for v in page.items]
        )

    @get("/{request_id:str}", opt=APPROVALS_READ, operation_id=operation("change_requests_retrieve"))
    @inject
    async def retrieve_request(
        self, request_id: FromPath[str], access: FromDishka[Access], use_case: FromDishka[GetChangeRequest]
    ) -> ChangeRequestOut:
        project = access.project
        return change_request_out(
            await use_case.execute(project.id, project.organization_id, access.user.id, request_id)
        )

    @post(
        "/{request_id:str}/approve",
        opt={**APPROVALS_WRITE, **_ACTION},
        operation_id=operation("change_requests_approve"),
        status_code=200,
    )
    @inject
    async def approve(
        self,
        request: Req,
        request_id: FromPath[str],
        access: FromDishka[Access],
        use_case: FromDishka[ActOnChangeRequest],
    ) -> ActionOut:
        return await _act(request, request_id, access, use_case, "approve")

    @post(
        "/{request_id:str}/reject",
        opt={**APPROVALS_WRITE, **_ACTION},
        operation_id=operation("change_requests_reject"),
        status_code=200,
    )
    @inject
    async def reject(
        self,
        request: Req,
        request_id: FromPath[str],
        access: FromDishka[Access],
        use_case: FromDishka[ActOnChangeRequest],
    ) -> ActionOut:
        return await _act(request, request_id, access, use_case, "reject")

    @post(
        "/{request_id:str}/cancel",
        opt={**APPROVALS_WRITE, **_ACTION},
        operation_id=operation("change_requests_cancel"),
        status_code=200,
    )
    @inject
    async def cancel(
        self,
        request: Req,
        request_id: FromPath[str],
        access: FromDishka[Access],
        use_case: FromDishka[ActOnChangeRequest],
    ) -> ActionOut:
        return await _act(request, request_id, access, use_case, "cancel")


async def _act(
    request: Req, request_id: str, access: Access, use_case: ActOnChangeRequest, action: Action
) -> ActionOut:
    body = decode_json_body(await request.body(), ActionBody)
    cmd = ChangeRequestAction(
        project_id=access.project.id,
        organization_id=access.project.organization_id,
        request_id=request_id,
        user_id=access.user.id,
        action=action,
        reason=body.reason,
    )
    return action_out(await use_case.execute(cmd))
