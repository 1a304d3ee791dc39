"""``/api/organizations/``: the caller's organizations, one organization, and its projects."""

from __future__ import annotations

from typing import Any

from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, Request, get, patch, post

from flagcore.app.http.auth import (
    ORGANIZATION_PROJECTS_READ,
    ORGANIZATION_PROJECTS_WRITE,
    ORGANIZATION_READ,
    ORGANIZATION_WRITE,
    ORGANIZATIONS_CREATE,
    ORGANIZATIONS_LIST,
)
from flagcore.app.http.body import decode_json_body
from flagcore.app.http.openapi import doc
from flagcore.app.http.routes import operation
from flagcore.app.http.tenants.schemas import (
    OrganizationIn,
    OrganizationList,
    OrganizationOut,
    OrganizationPatch,
    ProjectIn,
    ProjectList,
    ProjectOut,
)
from flagcore.app.identity.authorize import OrganizationAccess, UserAccess
from flagcore.app.tenants.organizations import (
    CreateOrganization,
    GetOrganization,
    ListOrganizations,
    UpdateOrganization,
)
from flagcore.app.tenants.projects import CreateProject, ListProjects

Req = Request[Any, Any, Any]
ORGANIZATION = "/{organization_id:str}"


class OrganizationController(Controller):
    path = "/api/organizations"
    tags = ["organizations"]  # noqa: RUF012 - Litestar reads it as a class attribute

    @get("/", opt=ORGANIZATIONS_LIST, operation_id=operation("organizations_list"))
    @inject
    async def list_organizations(
        self, access: FromDishka[UserAccess], use_case: FromDishka[ListOrganizations]
    ) -> OrganizationList:
        found = [OrganizationOut.of(d) for d in await use_case.execute(access)]
        return OrganizationList(count=len(found), results=found)

    @post(
        "/",
        opt={**ORGANIZATIONS_CREATE, **doc(body=OrganizationIn)},
        operation_id=operation("organizations_create"),
    )
    @inject
    async def create_organization(
        self, request: Req, access: FromDishka[UserAccess], use_case: FromDishka[CreateOrganization]
    ) -> OrganizationOut:
        body = decode_json_body(await request.body(), OrganizationIn)
        return OrganizationOut.of(await use_case.execute(access, body.name))

    @get(ORGANIZATION, opt=ORGANIZATION_READ, operation_id=operation("organizations_retrieve"))
    @inject
    async def retrieve_organization(
        self, access: FromDishka[OrganizationAccess], use_case: FromDishka[GetOrganization]
    ) -> OrganizationOut:
        return OrganizationOut.of(await use_case.execute(access))

    @patch(
        ORGANIZATION,
        opt={**ORGANIZATION_WRITE, **doc(body=OrganizationPatch)},
        operation_id=operation("organizations_partial_update"),
    )
    @inject
    async def update_organization(
        self, request: Req, access: FromDishka[OrganizationAccess], use_case: FromDishka[UpdateOrganization]
    ) -> OrganizationOut:
        body = decode_json_body(await request.body(), OrganizationPatch)
        return OrganizationOut.of(await use_case.execute(access, body.name))

    @get(
        f"{ORGANIZATION}/projects", opt=ORGANIZATION_PROJECTS_READ, operation_id=operation("organization_projects_list")
    )
    @inject
    async def list_projects(
        self, access: FromDishka[OrganizationAccess], use_case: FromDishka[ListProjects]
    ) -> ProjectList:
        found = [ProjectOut.of(p) for p in await use_case.execute(access)]
        return ProjectList(count=len(found), results=found)

    @post(
        f"{ORGANIZATION}/projects",
        opt={**ORGANIZATION_PROJECTS_WRITE, **doc(body=ProjectIn)},
        operation_id=operation("organization_projects_create"),
    )
    @inject
    async def create_project(
        self, request: Req, access: FromDishka[OrganizationAccess], use_case: FromDishka[CreateProject]
    ) -> ProjectOut:
        body = decode_json_body(await request.body(), ProjectIn)
        return ProjectOut.of(await use_case.execute(access, body.name, body.timezone))
