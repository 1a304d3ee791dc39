"""A project's change requests: the list (pending first, by state), one request, and approve / reject / cancel.

The API's own use cases (``ListChangeRequests``, ``GetChangeRequest``, ``ActOnChangeRequest``) decide everything;
their refusals (not an approver, self-approval, already decided, a reason missing) are shown on the request's page.
"""

from __future__ import annotations

from typing import Any, Final

from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect

from flagcore.app.approvals.change_requests import (
    Action,
    ActOnChangeRequest,
    ChangeRequestAction,
    GetChangeRequest,
    ListChangeRequests,
)
from flagcore.app.approvals.views import ChangeRequestPage
from flagcore.app.http.auth import UI_PAGE
from flagcore.app.http.ui.change_view import STATES, request_page
from flagcore.app.http.ui.flag_list import page_number
from flagcore.app.http.ui.render import render
from flagcore.app.http.ui.session import UI_PREFIX, UiUser
from flagcore.app.identity.authorize import Access, Authorize
from flagcore.app.tenants.members import ListMembers
from flagcore.domain.approvals import (
    OPEN_STATES,
    RESOURCE_TYPE,
    ChangeRequest,
    ChangeRequestActionError,
    ChangeRequestForbiddenError,
    ChangeRequestState,
)
from flagcore.ports.approvals import ChangeRequestQuery

Req = Request[Any, Any, Any]
REQUESTS: Final = f"{UI_PREFIX}/projects/{{project_id:int}}/change-requests"
PAGE_SIZE: Final = 50
#: Pending requests are few (one per action and flag at most): the first page lists them all, up to this many.
PENDING_SHOWN: Final = 100
STATES_BUT_PENDING: Final = frozenset(s for s in ChangeRequestState if s is not ChangeRequestState.PENDING)
#: What the page says after an action, by the use case's outcome status.
DONE: Final = {
    "approved": "Your approval was recorded; more approvals are needed before the change is applied.",
    "applied": "Approved: the quorum was reached and the change was applied to the flag.",
    "rejected": "Change request rejected.",
    "canceled": "Change request canceled.",
}


def request_url(project_id: int, request_id: str) -> str:
    return f"{UI_PREFIX}/projects/{project_id}/change-requests/{request_id}"


async def open_requests(use_case: ListChangeRequests, ui: UiUser, access: Access, flag_id: int) -> list[ChangeRequest]:
    """The flag's pending or approved change requests (for the notice on its page)."""
    project = access.project
    query = ChangeRequestQuery(
        states=OPEN_STATES, resource_type=RESOURCE_TYPE, resource_id=str(flag_id), limit=PENDING_SHOWN
    )
    page = await use_case.execute(project.id, project.organization_id, ui.user.id, query)
    return [view.request for view in page.items]


async def _detail(
    ui: UiUser,
    access: Access,
    view_of: GetChangeRequest,
    members: ListMembers,
    authorize: Authorize,
    request_id: str,
    *,
    done: str = "",
    error: str = "",
    reason: str = "",
    status: int = 200,
) -> Response[str]:
    project = access.project
    view = await view_of.execute(project.id, project.organization_id, ui.user.id, request_id)
    organization = await ui.organization(authorize, project.organization_id)
    users = {m.user.id: m.user for m in await members.execute(organization)}
    return render(
        "change_request.html",
        ui_user=ui,
        project=project,
        cr=request_page(view, users),
        done=DONE.get(done, ""),
        failed=done == "failed",
        error=error,
        reason=reason,
        status=status,
    )


class ChangeRequestsController(Controller):
    path = REQUESTS
    include_in_schema = False

    @get("/", opt=UI_PAGE)
    @inject
    async def list_requests(
        self,
        request: Req,
        project_id: FromPath[int],
        ui: FromDishka[UiUser],
        authorize: FromDishka[Authorize],
        use_case: FromDishka[ListChangeRequests],
    ) -> Response[Any]:
        access = await ui.project(authorize, project_id, scope="approvals:read")
        project = access.project
        state = request.query_params.get("state") or ""
        error = "" if state in ("", *STATES) else f"Unknown state {state!r}: showing every state."
        state = state if not error else ""
        flag = request.query_params.get("flag") or None
        flag = flag if flag is not None and flag.isdigit() else None
        page = page_number(request.query_params.get("page"))

        async def fetch(states: frozenset[ChangeRequestState], limit: int, offset: int) -> ChangeRequestPage:
            query = ChangeRequestQuery(states=states, resource_id=flag, limit=limit, offset=offset)
            return await use_case.execute(project.id, project.organization_id, ui.user.id, query)

        offset = (page - 1) * PAGE_SIZE
        if state:
            found = await fetch(frozenset({ChangeRequestState(state)}), PAGE_SIZE, offset)
            views, count, paged = found.items, found.count, found.count
        else:
            # Pending first: every pending request on the first page, then the others newest first, in pages.
            pending = await fetch(frozenset({ChangeRequestState.PENDING}), PENDING_SHOWN, 0)
            others = await fetch(STATES_BUT_PENDING, PAGE_SIZE, offset)
            views = [*(pending.items if page == 1 else []), *others.items]
            count, paged = pending.count + others.count, others.count
        return render(
            "change_requests.html",
            ui_user=ui,
            project=project,
            rows=[request_page(v) for v in views],
            count=count,
            state=state,
            states=STATES,
            flag=flag,
            error=error,
            page=page,
            pages=max(1, -(-paged // PAGE_SIZE)),
        )

    @get("/{request_id:str}", opt=UI_PAGE)
    @inject
    async def show_request(
        self,
        request: Req,
        project_id: FromPath[int],
        request_id: FromPath[str],
        ui: FromDishka[UiUser],
        authorize: FromDishka[Authorize],
        view_of: FromDishka[GetChangeRequest],
        members: FromDishka[ListMembers],
    ) -> Response[Any]:
        access = await ui.project(authorize, project_id, scope="approvals:read")
        done = request.query_params.get("done") or ""
        return await _detail(ui, access, view_of, members, authorize, request_id, done=done)

    @post("/{request_id:str}/approve", opt=UI_PAGE)
    @inject
    async def approve(
        self,
        request: Req,
        project_id: FromPath[int],
        request_id: FromPath[str],
        ui: FromDishka[UiUser],
        authorize: FromDishka[Authorize],
        act: FromDishka[ActOnChangeRequest],
        view_of: FromDishka[GetChangeRequest],
        members: FromDishka[ListMembers],
    ) -> Response[Any]:
        return await _act(request, project_id, request_id, "approve", ui, authorize, act, view_of, members)

    @post("/{request_id:str}/reject", opt=UI_PAGE)
    @inject
    async def reject(
        self,
        request: Req,
        project_id: FromPath[int],
        request_id: FromPath[str],
        ui: FromDishka[UiUser],
        authorize: FromDishka[Authorize],
        act: FromDishka[ActOnChangeRequest],
        view_of: FromDishka[GetChangeRequest],
        members: FromDishka[ListMembers],
    ) -> Response[Any]:
        return await _act(request, project_id, request_id, "reject", ui, authorize, act, view_of, members)

    @post("/{request_id:str}/cancel", opt=UI_PAGE)
    @inject
    async def cancel(
        self,
        request: Req,
        project_id: FromPath[int],
        request_id: FromPath[str],
        ui: FromDishka[UiUser],
        authorize: FromDishka[Authorize],
        act: FromDishka[ActOnChangeRequest],
        view_of: FromDishka[GetChangeRequest],
        members: FromDishka[ListMembers],
    ) -> Response[Any]:
        return await _act(request, project_id, request_id, "cancel", ui, authorize, act, view_of, members)


async def _act(
    request: Req,
    project_id: int,
    request_id: str,
    action: Action,
    ui: UiUser,
    authorize: Authorize,
    act: ActOnChangeRequest,
    view_of: GetChangeRequest,
    members: ListMembers,
) -> Response[Any]:
    fields = await ui.form(request)  # the CSRF check comes first: a forged form learns nothing
    access = await ui.project(authorize, project_id, scope="approvals:write")
    reason = str(fields.get("reason") or "").strip()
    cmd = ChangeRequestAction(
        project_id=access.project.id,
        organization_id=access.project.organization_id,
        request_id=request_id,
        user_id=ui.user.id,
        action=action,
        reason=reason or None,
    )
    try:
        outcome = await act.execute(cmd)
    except (ChangeRequestForbiddenError, ChangeRequestActionError) as exc:
        status = 403 if isinstance(exc, ChangeRequestForbiddenError) else 400
        return await _detail(
            ui, access, view_of, members, authorize, request_id, error=exc.detail, reason=reason, status=status
        )
    return Redirect(path=f"{request_url(project_id, request_id)}?done={outcome.status}", status_code=303)
