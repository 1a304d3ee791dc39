"""``/api/projects/{project_id}/groups_types/``: PostHog's group types API, plus a way to register a group type."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, Request, get, patch, post

from flagcore.app.groups.group_types import GroupTypeNames, ListGroupTypes, RegisterGroupType, RenameGroupTypes
from flagcore.app.http.auth import GROUP_READ, GROUP_WRITE
from flagcore.app.http.body import decode_json_body
from flagcore.app.http.openapi import doc
from flagcore.app.http.routes import operation
from flagcore.app.identity.authorize import Access
from flagcore.domain.groups import GroupType


class GroupTypeOut(msgspec.Struct, frozen=True, kw_only=True):
    group_type: str
    group_type_index: int
    name_singular: str | None
    name_plural: str | None
    detail_dashboard: None = None
    default_columns: None = None
    created_at: datetime


class GroupTypeIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    group_type: str


def _out(types: list[GroupType]) -> list[GroupTypeOut]:
    return [
        GroupTypeOut(
            group_type=t.group_type,
            group_type_index=t.group_type_index,
            name_singular=t.name_singular,
            name_plural=t.name_plural,
            created_at=t.created_at,
        )
        for t in types
    ]


class GroupTypeController(Controller):
    path = "/"
    tags = ["groups"]  # noqa: RUF012 - Litestar reads it as a class attribute

    @get("/", opt=GROUP_READ, operation_id=operation("groups_types_list"))
    @inject
    async def list_group_types(
        self, access: FromDishka[Access], use_case: FromDishka[ListGroupTypes]
    ) -> list[GroupTypeOut]:
        return _out(await use_case.execute(access.project.id))

    @post(
        "/", opt={**GROUP_WRITE, **doc(body=GroupTypeIn, errors=[409])}, operation_id=operation("groups_types_create")
    )
    @inject
    async def register_group_type(
        self, request: Request[Any, Any, Any], access: FromDishka[Access], use_case: FromDishka[RegisterGroupType]
    ) -> GroupTypeOut:
        body = decode_json_body(await request.body(), GroupTypeIn)
        return _out([await use_case.execute(access.project.id, body.group_type)])[0]

    @patch(
        "/update_metadata",
        opt={**GROUP_WRITE, **doc(body=list[GroupTypeNames])},
        operation_id=operation("groups_types_update_metadata"),
    )
    @inject
    async def update_metadata(
        self, request: Request[Any, Any, Any], access: FromDishka[Access], use_case: FromDishka[RenameGroupTypes]
    ) -> list[GroupTypeOut]:
        changes = decode_json_body(await request.body(), list[GroupTypeNames])
        return _out(await use_case.execute(access.project.id, changes))
