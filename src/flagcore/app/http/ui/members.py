"""Members of an organization: list, add (with a first password), remove; the use cases decide who may."""

from __future__ import annotations

from typing import Any

from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect

from flagcore.app.http.auth import UI_PAGE
from flagcore.app.http.ui.render import render
from flagcore.app.http.ui.session import UI_PREFIX, UiUser
from flagcore.app.identity.authorize import Authorize, OrganizationAccess
from flagcore.app.identity.sign_in import SetInitialPassword
from flagcore.app.tenants.members import AddMember, AddMemberCommand, ChangeMemberLevel, ListMembers, RemoveMember
from flagcore.domain.errors import ForbiddenError, InvalidInputError
from flagcore.domain.identity.members import parse_level

Req = Request[Any, Any, Any]


async def _page(
    ui: UiUser,
    access: OrganizationAccess,
    members: ListMembers,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
    notice: str | None = None,
) -> Response[str]:
    return render(
        "members.html",
        ui_user=ui,
        organization=access.organization,
        my_level=access.membership.level,
        members=await members.execute(access),
        values=values or {},
        errors=errors or {},
        notice=notice,
        status=status,
    )


class MembersController(Controller):
    path = f"{UI_PREFIX}/organizations/{{organization_id:str}}/members"
    include_in_schema = False

    @get("/", opt=UI_PAGE)
    @inject
    async def list_members(
        self,
        request: Req,
        organization_id: FromPath[str],
        ui: FromDishka[UiUser],
        authorize: FromDishka[Authorize],
        members: FromDishka[ListMembers],
    ) -> Response[Any]:
        access = await ui.organization(authorize, organization_id, scope="organization_member:read")
        notice = "Member added." if request.query_params.get("added") else None
        return await _page(ui, access, members, notice=notice)

    @post("/", opt=UI_PAGE)
    @inject
    async def add_member(
        self,
        request: Req,
        organization_id: FromPath[str],
        ui: FromDishka[UiUser],
        authorize: FromDishka[Authorize],
        members: FromDishka[ListMembers],
        add: FromDishka[AddMember],
        passwords: FromDishka[SetInitialPassword],
    ) -> Response[Any]:
        fields = await ui.form(request)
        access = await ui.organization(authorize, organization_id, scope="organization_member:write")
        values = {name: str(fields.get(name, "")).strip() for name in ("email", "level")}
        password = str(fields.get("password", ""))
        try:
            level = parse_level(int(values["level"]) if values["level"].isdigit() else 0)
            if password:
                await passwords.check(values["email"], password)
            member = await add.execute(access, AddMemberCommand(email=values["email"], level=level))
            if password:
                await passwords.execute(member.user.id, password)
        except InvalidInputError as exc:
            return await _page(ui, access, members, values=values, errors={exc.attr or "email": exc.detail}, status=422)
        except ForbiddenError as exc:
            return await _page(ui, access, members, values=values, errors={"form": exc.detail}, status=403)
        return Redirect(path=f"{UI_PREFIX}/organizations/{organization_id}/members?added=1", status_code=303)

    @post("/{user_uuid:str}/remove", opt=UI_PAGE)
    @inject
    async def remove_member(
        self,
        request: Req,
        organization_id: FromPath[str],
        user_uuid: FromPath[str],
        ui: FromDishka[UiUser],
        authorize: FromDishka[Authorize],
        members: FromDishka[ListMembers],
        remove: FromDishka[RemoveMember],
    ) -> Response[Any]:
        await ui.form(request)
        access = await ui.organization(authorize, organization_id, scope="organization_member:write")
        try:
            await remove.execute(access, user_uuid)
        except ForbiddenError as exc:
            return await _page(ui, access, members, errors={"form": exc.detail}, status=403)
        return Redirect(path=f"{UI_PREFIX}/organizations/{organization_id}/members", status_code=303)

    @post("/{user_uuid:str}/level", opt=UI_PAGE)
    @inject
    async def change_level(
        self,
        request: Req,
        organization_id: FromPath[str],
        user_uuid: FromPath[str],
        ui: FromDishka[UiUser],
        authorize: FromDishka[Authorize],
        members: FromDishka[ListMembers],
        change: FromDishka[ChangeMemberLevel],
    ) -> Response[Any]:
        fields = await ui.form(request)
        access = await ui.organization(authorize, organization_id, scope="organization_member:write")
        raw = str(fields.get("level", ""))
        try:
            await change.execute(access, user_uuid, parse_level(int(raw) if raw.isdigit() else 0))
        except InvalidInputError as exc:
            return await _page(ui, access, members, errors={"form": exc.detail}, status=422)
        except ForbiddenError as exc:
            return await _page(ui, access, members, errors={"form": exc.detail}, status=403)
        return Redirect(path=f"{UI_PREFIX}/organizations/{organization_id}/members", status_code=303)
