"""``/api/users/@me/`` and ``/api/personal_api_keys/``: the caller and their own keys."""

from __future__ import annotations

from typing import Any

from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, Request, delete, get, post
from litestar.params import FromPath

from flagcore.app.http.auth import PERSONAL_KEY_READ, PERSONAL_KEY_WRITE, USER_READ
from flagcore.app.http.body import decode_json_body
from flagcore.app.http.openapi import doc
from flagcore.app.http.routes import operation
from flagcore.app.http.tenants.schemas import MeOut, PersonalKeyIn, PersonalKeyOut
from flagcore.app.identity.authorize import UserAccess
from flagcore.app.tenants.api_keys import (
    CreatePersonalKey,
    DeletePersonalKey,
    GetPersonalKey,
    ListPersonalKeys,
    NewPersonalKey,
)
from flagcore.app.tenants.me import GetCurrentUser

Req = Request[Any, Any, Any]
KEY = "/{key_id:str}"


class CurrentUserController(Controller):
    path = "/api/users"
    tags = ["users"]  # noqa: RUF012 - Litestar reads it as a class attribute

    @get("/@me", opt=USER_READ, operation_id=operation("users_retrieve_me"))
    @inject
    async def me(self, access: FromDishka[UserAccess], use_case: FromDishka[GetCurrentUser]) -> MeOut:
        return MeOut.of(await use_case.execute(access))


class PersonalKeyController(Controller):
    path = "/api/personal_api_keys"
    tags = ["personal_api_keys"]  # noqa: RUF012 - Litestar reads it as a class attribute

    @get("/", opt=PERSONAL_KEY_READ, operation_id=operation("personal_api_keys_list"))
    @inject
    async def list_keys(
        self, access: FromDishka[UserAccess], use_case: FromDishka[ListPersonalKeys]
    ) -> list[PersonalKeyOut]:
        return [PersonalKeyOut.of(k) for k in await use_case.execute(access)]

    @post(
        "/",
        opt={**PERSONAL_KEY_WRITE, **doc(body=PersonalKeyIn)},
        operation_id=operation("personal_api_keys_create"),
    )
    @inject
    async def create_key(
        self, request: Req, access: FromDishka[UserAccess], use_case: FromDishka[CreatePersonalKey]
    ) -> PersonalKeyOut:
        body = decode_json_body(await request.body(), PersonalKeyIn)
        new = NewPersonalKey(
            label=body.label,
            scopes=tuple(body.scopes),
            scoped_teams=tuple(body.scoped_teams or ()),
            scoped_organizations=tuple(body.scoped_organizations or ()),
        )
        return PersonalKeyOut.minted(await use_case.execute(access, new))

    @get(KEY, opt=PERSONAL_KEY_READ, operation_id=operation("personal_api_keys_retrieve"))
    @inject
    async def retrieve_key(
        self, key_id: FromPath[str], access: FromDishka[UserAccess], use_case: FromDishka[GetPersonalKey]
    ) -> PersonalKeyOut:
        return PersonalKeyOut.of(await use_case.execute(access, key_id))

    @delete(KEY, opt=PERSONAL_KEY_WRITE, operation_id=operation("personal_api_keys_destroy"))
    @inject
    async def delete_key(
        self, key_id: FromPath[str], access: FromDishka[UserAccess], use_case: FromDishka[DeletePersonalKey]
    ) -> None:
        await use_case.execute(access, key_id)
