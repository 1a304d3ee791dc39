"""``/api/organizations/{organization_id}/members/``: members by their user's uuid, with PostHog's levels."""

from __future__ import annotations

from typing import Any

from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, Request, delete, get, patch, post
from litestar.params import FromPath

from flagcore.app.http.auth import MEMBER_READ, MEMBER_WRITE
from flagcore.app.http.body import decode_json_body
from flagcore.app.http.openapi import doc
from flagcore.app.http.routes import operation
from flagcore.app.http.tenants.schemas import MemberIn, MemberList, MemberOut, MemberPatch
from flagcore.app.identity.authorize import OrganizationAccess
from flagcore.app.identity.sign_in import SetInitialPassword
from flagcore.app.tenants.members import AddMember, AddMemberCommand, ChangeMemberLevel, ListMembers, RemoveMember
from flagcore.domain.identity.members import parse_level

Req = Request[Any, Any, Any]
MEMBER = "/{user_uuid:str}"


class MemberController(Controller):
    path = "/api/organizations/{organization_id:str}/members"
    tags = ["organization_members"]  # noqa: RUF012 - Litestar reads it as a class attribute

    @get("/", opt=MEMBER_READ, operation_id=operation("organization_members_list"))
    @inject
    async def list_members(
        self, access: FromDishka[OrganizationAccess], use_case: FromDishka[ListMembers]
    ) -> MemberList:
        found = [MemberOut.of(m) for m in await use_case.execute(access)]
        return MemberList(count=len(found), results=found)

    @post(
        "/",
        opt={**MEMBER_WRITE, **doc(body=MemberIn)},
        operation_id=operation("organization_members_create"),
    )
    @inject
    async def add_member(
        self,
        request: Req,
        access: FromDishka[OrganizationAccess],
        use_case: FromDishka[AddMember],
        passwords: FromDishka[SetInitialPassword],
    ) -> MemberOut:
        body = decode_json_body(await request.body(), MemberIn)
        cmd = AddMemberCommand(email=body.email, level=parse_level(body.level), first_name=body.first_name)
        if body.password is not None:  # checked first: a refused password adds no member
            await passwords.check(body.email, body.password)
        member = await use_case.execute(access, cmd)
        if body.password is not None:
            await passwords.execute(member.user.id, body.password)
        return MemberOut.of(member)

    @patch(
        MEMBER,
        opt={**MEMBER_WRITE, **doc(body=MemberPatch)},
        operation_id=operation("organization_members_partial_update"),
    )
    @inject
    async def change_level(
        self,
        request: Req,
        user_uuid: FromPath[str],
        access: FromDishka[OrganizationAccess],
        use_case: FromDishka[ChangeMemberLevel],
    ) -> MemberOut:
        body = decode_json_body(await request.body(), MemberPatch)
        return MemberOut.of(await use_case.execute(access, user_uuid, parse_level(body.level)))

    @delete(MEMBER, opt=MEMBER_WRITE, operation_id=operation("organization_members_destroy"))
    @inject
    async def remove_member(
        self, user_uuid: FromPath[str], access: FromDishka[OrganizationAccess], use_case: FromDishka[RemoveMember]
    ) -> None:
        await use_case.execute(access, user_uuid)
