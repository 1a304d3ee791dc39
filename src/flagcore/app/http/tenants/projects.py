"""``/api/projects/{project_id}/``: a project, its public token and its secret keys."""

from __future__ import annotations

from typing import Any

from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, Request, delete, get, patch, post
from litestar.params import FromPath

from flagcore.app.http.auth import PROJECT_READ, PROJECT_WRITE
from flagcore.app.http.body import decode_json_body
from flagcore.app.http.openapi import doc
from flagcore.app.http.routes import operation
from flagcore.app.http.tenants.schemas import ProjectOut, ProjectPatch, SecretKeyIn, SecretKeyOut
from flagcore.app.identity.authorize import Access
from flagcore.app.tenants.projects import ProjectChanges, RotateProjectToken, UpdateProject
from flagcore.app.tenants.secret_keys import CreateSecretKey, ListSecretKeys, RevokeSecretKey

Req = Request[Any, Any, Any]
SECRET_KEYS = "/project_secret_api_keys"  # noqa: S105 - a path, not a secret


class ProjectController(Controller):
    path = "/"
    tags = ["projects"]  # noqa: RUF012 - Litestar reads it as a class attribute

    @get("/", opt=PROJECT_READ, operation_id=operation("projects_retrieve"))
    @inject
    async def retrieve_project(self, access: FromDishka[Access]) -> ProjectOut:
        return ProjectOut.of(access.project)

    @patch(
        "/",
        opt={**PROJECT_WRITE, **doc(body=ProjectPatch)},
        operation_id=operation("projects_partial_update"),
    )
    @inject
    async def update_project(
        self, request: Req, access: FromDishka[Access], use_case: FromDishka[UpdateProject]
    ) -> ProjectOut:
        body = decode_json_body(await request.body(), ProjectPatch)
        return ProjectOut.of(await use_case.execute(access, ProjectChanges(name=body.name, timezone=body.timezone)))

    @patch("/reset_token", opt={**PROJECT_WRITE, **doc(no_body=True)}, operation_id=operation("projects_reset_token"))
    @inject
    async def reset_token(self, access: FromDishka[Access], use_case: FromDishka[RotateProjectToken]) -> ProjectOut:
        return ProjectOut.of(await use_case.execute(access))

    @get(SECRET_KEYS, opt=PROJECT_READ, operation_id=operation("project_secret_api_keys_list"))
    @inject
    async def list_secret_keys(
        self, access: FromDishka[Access], use_case: FromDishka[ListSecretKeys]
    ) -> list[SecretKeyOut]:
        return [SecretKeyOut.of(k) for k in await use_case.execute(access)]

    @post(
        SECRET_KEYS,
        opt={**PROJECT_WRITE, **doc(body=SecretKeyIn)},
        operation_id=operation("project_secret_api_keys_create"),
    )
    @inject
    async def create_secret_key(
        self, request: Req, access: FromDishka[Access], use_case: FromDishka[CreateSecretKey]
    ) -> SecretKeyOut:
        body = decode_json_body(await request.body(), SecretKeyIn)
        return SecretKeyOut.minted(await use_case.execute(access, body.label))

    @delete(
        f"{SECRET_KEYS}/{{key_id:str}}", opt=PROJECT_WRITE, operation_id=operation("project_secret_api_keys_destroy")
    )
    @inject
    async def revoke_secret_key(
        self, key_id: FromPath[str], access: FromDishka[Access], use_case: FromDishka[RevokeSecretKey]
    ) -> None:
        await use_case.execute(access, key_id)
