"""Use case: the calling user (``/api/users/@me/``), with what their key lets them see of their tenants."""

from __future__ import annotations

import msgspec

from flagcore.app.identity.authorize import UserAccess
from flagcore.domain.identity import MembershipLevel, Organization, Project, User
from flagcore.domain.identity.tenancy import key_sees_organization, key_sees_project
from flagcore.ports.identity import OrganizationRepo, ProjectRepo


class OrganizationMembershipView(msgspec.Struct, frozen=True, kw_only=True):
    organization: Organization
    level: MembershipLevel


class CurrentUser(msgspec.Struct, frozen=True, kw_only=True):
    user: User
    #: The current project, if the key may see it.
    project: Project | None
    #: The current project's organization, if the key may see it.
    organization: OrganizationMembershipView | None
    organizations: list[OrganizationMembershipView]


class GetCurrentUser:
    def __init__(self, organizations: OrganizationRepo, projects: ProjectRepo) -> None:
        self._organizations = organizations
        self._projects = projects

    async def execute(self, access: UserAccess) -> CurrentUser:
        """The caller, their current project and organization, and their organizations, within the key's scoping."""
        key = access.key
        scoped_orgs = {
            p.organization_id for p in [await self._projects.get(i) for i in key.scoped_teams] if p is not None
        }
        visible: list[OrganizationMembershipView] = []
        for membership in await self._organizations.list_memberships_of_user(access.user.id):
            organization = await self._organizations.get(membership.organization_id)
            if organization is not None and key_sees_organization(key, organization.id, scoped_orgs):
                visible.append(OrganizationMembershipView(organization=organization, level=membership.level))
        current_id = access.user.current_project_id
        project = await self._projects.get(current_id) if current_id is not None else None
        by_id = {view.organization.id: view for view in visible}
        if project is not None and (project.organization_id not in by_id or not key_sees_project(key, project)):
            project = None
        return CurrentUser(
            user=access.user,
            project=project,
            organization=by_id.get(project.organization_id) if project is not None else None,
            organizations=visible,
        )
