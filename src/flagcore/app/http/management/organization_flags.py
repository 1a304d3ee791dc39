"""Organization flag routes (management spec §7): one key across projects, and copying a flag to projects.

``GET /api/organizations/{org}/feature_flags/{key}/`` and ``POST /api/organizations/{org}/feature_flags/copy_flags/``.

Access: a member of the organization (another organization answers 404). PostHog gives these routes its internal
scope, refusing scoped keys; flagcore has only scoped keys, so reading needs ``feature_flag:read`` and copying
``feature_flag:write``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, Request, get, post
from litestar.params import FromPath

from flagcore.app.flags.organization import CopyFailure, CopyFlags, CopyFlagsCommand, FlagAcrossProjects
from flagcore.app.http.auth import ORG_FLAG_READ, ORG_FLAG_WRITE
from flagcore.app.http.body import decode_json_body
from flagcore.app.http.errors import ErrorMessageResponse, error_message_statuses
from flagcore.app.http.management.presenter import FlagPresenter
from flagcore.app.http.management.schemas import Flag, UserBasic
from flagcore.app.http.openapi import doc
from flagcore.app.http.routes import operation
from flagcore.app.identity.authorize import OrganizationAccess
from flagcore.domain.flags.encryption import redacted
from flagcore.domain.flags.parsing import filters_as_served
from flagcore.ports.identity import UserRepo

Req = Request[Any, Any, Any]


class OrganizationFlag(msgspec.Struct, frozen=True, kw_only=True):
    flag_id: int
    team_id: int
    created_by: UserBasic | None
    filters: dict[str, Any]
    created_at: datetime
    active: bool


class CopyFlagsRequest(msgspec.Struct, frozen=True, kw_only=True):
    feature_flag_key: str | None = None
    from_project: int | None = None
    target_project_ids: list[int] | None = None
    copy_schedule: bool = False


class CopyFlagsResponse(msgspec.Struct, frozen=True, kw_only=True):
    success: list[Flag]
    failed: list[CopyFailure]


class OrganizationFlagController(Controller):
    path = "/api/organizations/{organization_id:str}/feature_flags"
    tags = ["organization_feature_flags"]  # noqa: RUF012 - Litestar reads it as a class attribute

    @get("/{key:str}", opt=ORG_FLAG_READ, operation_id=operation("organization_feature_flags_retrieve"))
    @inject
    async def across_projects(
        self,
        key: FromPath[str],
        access: FromDishka[OrganizationAccess],
        use_case: FromDishka[FlagAcrossProjects],
        users: FromDishka[UserRepo],
    ) -> list[OrganizationFlag]:
        found = await use_case.execute(access.organization.id, key)
        items: list[OrganizationFlag] = []
        for item in found:
            creator = await users.get(item.flag.created_by_id) if item.flag.created_by_id is not None else None
            items.append(
                OrganizationFlag(
                    flag_id=item.flag.id,
                    team_id=item.project.id,
                    created_by=UserBasic.of(creator) if creator is not None else None,
                    filters=filters_as_served(
                        redacted(item.flag.filters) if item.flag.has_encrypted_payloads else item.flag.filters
                    ),
                    created_at=item.flag.created_at,
                    active=item.flag.active,
                )
            )
        return items

    @post(
        "/copy_flags",
        opt={**ORG_FLAG_WRITE, **doc(body=CopyFlagsRequest, statuses=error_message_statuses(400))},
        operation_id=operation("organization_feature_flags_copy_flags"),
        status_code=200,
    )
    @inject
    async def copy_flags(
        self,
        request: Req,
        access: FromDishka[OrganizationAccess],
        use_case: FromDishka[CopyFlags],
        view: FromDishka[FlagPresenter],
    ) -> CopyFlagsResponse:
        body = decode_json_body(await request.body() or b"{}", CopyFlagsRequest)
        if not body.feature_flag_key or body.from_project is None or not body.target_project_ids:
            raise ErrorMessageResponse(400, "Missing required fields")
        cmd = CopyFlagsCommand(
            organization_id=access.organization.id,
            user_id=access.user.id,
            key=body.feature_flag_key,
            from_project=body.from_project,
            target_project_ids=body.target_project_ids,
        )
        result = await use_case.execute(cmd)
        return CopyFlagsResponse(success=await view.many(result.success), failed=result.failed)
