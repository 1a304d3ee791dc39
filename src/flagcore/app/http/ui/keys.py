"""Personal API keys (the user's own) and a project's keys (its public token, its secret keys for admins).

A new key's value is shown once, on the page that answers its creation; afterwards only its mask.
"""

from __future__ import annotations

from typing import Any

from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect

from flagcore.app.http.auth import UI_PAGE
from flagcore.app.http.ui.render import render
from flagcore.app.http.ui.session import UI_PREFIX, UiUser
from flagcore.app.identity.authorize import Access, Authorize
from flagcore.app.tenants.api_keys import CreatePersonalKey, DeletePersonalKey, ListPersonalKeys, NewPersonalKey
from flagcore.app.tenants.secret_keys import CreateSecretKey, ListSecretKeys, RevokeSecretKey
from flagcore.domain.errors import ForbiddenError, InvalidInputError

Req = Request[Any, Any, Any]


def _scopes(raw: str) -> tuple[str, ...]:
    found = tuple(scope.strip() for scope in raw.replace(",", " ").split() if scope.strip())
    return found or ("*",)


class PersonalKeysController(Controller):
    path = f"{UI_PREFIX}/keys"
    include_in_schema = False

    @get("/", opt=UI_PAGE)
    @inject
    async def list_keys(self, ui: FromDishka[UiUser], keys: FromDishka[ListPersonalKeys]) -> Response[Any]:
        return render(
            "keys.html", ui_user=ui, keys=await keys.execute(ui.user_access), minted=None, errors={}, values={}
        )

    @post("/", opt=UI_PAGE)
    @inject
    async def create_key(
        self,
        request: Req,
        ui: FromDishka[UiUser],
        keys: FromDishka[ListPersonalKeys],
        create: FromDishka[CreatePersonalKey],
    ) -> Response[Any]:
        fields = await ui.form(request)
        values = {name: str(fields.get(name, "")).strip() for name in ("label", "scopes")}
        minted, errors, status = None, {}, 201
        try:
            minted = await create.execute(
                ui.user_access, NewPersonalKey(label=values["label"], scopes=_scopes(values["scopes"]))
            )
        except InvalidInputError as exc:
            errors, status = {exc.attr or "label": exc.detail}, 422
        listed = await keys.execute(ui.user_access)
        return render("keys.html", ui_user=ui, keys=listed, minted=minted, errors=errors, values=values, status=status)

    @post("/{key_id:str}/delete", opt=UI_PAGE)
    @inject
    async def delete_key(
        self, request: Req, key_id: FromPath[str], ui: FromDishka[UiUser], delete: FromDishka[DeletePersonalKey]
    ) -> Response[Any]:
        await ui.form(request)
        await delete.execute(ui.user_access, key_id)
        return Redirect(path=f"{UI_PREFIX}/keys", status_code=303)


async def _project_page(
    ui: UiUser,
    access: Access,
    keys: ListSecretKeys,
    *,
    minted: object = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response[str]:
    try:
        listed, allowed = await keys.execute(access), True
    except ForbiddenError:
        listed, allowed = [], False
    return render(
        "project_keys.html",
        ui_user=ui,
        project=access.project,
        secret_keys=listed,
        allowed=allowed,
        minted=minted,
        errors=errors or {},
        status=status,
    )


class ProjectKeysController(Controller):
    path = f"{UI_PREFIX}/projects/{{project_id:int}}/keys"
    include_in_schema = False

    @get("/", opt=UI_PAGE)
    @inject
    async def project_keys(
        self,
        project_id: FromPath[int],
        ui: FromDishka[UiUser],
        authorize: FromDishka[Authorize],
        keys: FromDishka[ListSecretKeys],
    ) -> Response[Any]:
        return await _project_page(ui, await ui.project(authorize, project_id, scope="project:read"), keys)

    @post("/", opt=UI_PAGE)
    @inject
    async def create_secret_key(
        self,
        request: Req,
        project_id: FromPath[int],
        ui: FromDishka[UiUser],
        authorize: FromDishka[Authorize],
        keys: FromDishka[ListSecretKeys],
        create: FromDishka[CreateSecretKey],
    ) -> Response[Any]:
        fields = await ui.form(request)
        access = await ui.project(authorize, project_id, scope="project:write")
        try:
            minted = await create.execute(access, str(fields.get("label", "")).strip())
        except InvalidInputError as exc:
            return await _project_page(ui, access, keys, errors={"label": exc.detail}, status=422)
        except ForbiddenError as exc:
            return await _project_page(ui, access, keys, errors={"form": exc.detail}, status=403)
        return await _project_page(ui, access, keys, minted=minted, status=201)

    @post("/{key_id:str}/revoke", opt=UI_PAGE)
    @inject
    async def revoke_secret_key(
        self,
        request: Req,
        project_id: FromPath[int],
        key_id: FromPath[str],
        ui: FromDishka[UiUser],
        authorize: FromDishka[Authorize],
        revoke: FromDishka[RevokeSecretKey],
    ) -> Response[Any]:
        await ui.form(request)
        await revoke.execute(await ui.project(authorize, project_id, scope="project:write"), key_id)
        return Redirect(path=f"{UI_PREFIX}/projects/{project_id}/keys", status_code=303)
