"""Use cases: list, read, create and rename organizations."""

from __future__ import annotations

import uuid
from datetime import datetime

import msgspec

from flagcore.app.identity.authorize import OrganizationAccess, UserAccess
from flagcore.app.tenants.activity import field_changes, record
from flagcore.domain.activity import Activity, FieldChange
from flagcore.domain.errors import ForbiddenError
from flagcore.domain.identity import Membership, MembershipLevel, Organization, PersonalApiKey, Project
from flagcore.domain.identity.members import require_admin
from flagcore.domain.identity.naming import validate_name
from flagcore.domain.identity.tenancy import key_sees_organization, key_sees_project
from flagcore.ports.clock import Clock
from flagcore.ports.identity import OrganizationRepo, ProjectRepo
from flagcore.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory

SCOPE = "Organization"


class OrganizationDetails(msgspec.Struct, frozen=True, kw_only=True):
    """An organization as its member sees it: their level, its projects and how many members it has."""

    organization: Organization
    level: MembershipLevel
    projects: list[Project]
    member_count: int


class TenantScopedKeyError(ForbiddenError):
    def __init__(self) -> None:
        super().__init__("API keys with scoped projects or organizations cannot create organizations.")


async def details(
    organizations: OrganizationRepo, projects: ProjectRepo, organization: Organization, level: MembershipLevel
) -> OrganizationDetails:
    return OrganizationDetails(
        organization=organization,
        level=level,
        projects=await projects.list_for_organization(organization.id),
        member_count=len(await organizations.list_members(organization.id)),
    )


class ListOrganizations:
    """The organizations the caller belongs to and their key may see."""

    def __init__(self, organizations: OrganizationRepo, projects: ProjectRepo) -> None:
        self._organizations = organizations
        self._projects = projects

    async def execute(self, access: UserAccess) -> list[OrganizationDetails]:
        """The caller's organizations, by id, within their key's scoping."""
        scoped = await _scoped_project_organizations(self._projects, access.key)
        out = []
        for membership in await self._organizations.list_memberships_of_user(access.user.id):
            organization = await self._organizations.get(membership.organization_id)
            if organization is not None and key_sees_organization(access.key, organization.id, scoped):
                found = await details(self._organizations, self._projects, organization, membership.level)
                # A key limited to some projects lists only those of the organization (not their tokens).
                visible = [p for p in found.projects if key_sees_project(access.key, p)]
                out.append(msgspec.structs.replace(found, projects=visible))
        return out


async def _scoped_project_organizations(projects: ProjectRepo, key: PersonalApiKey) -> set[str]:
    found = [await projects.get(project_id) for project_id in key.scoped_teams]
    return {project.organization_id for project in found if project is not None}


class GetOrganization:
    def __init__(self, organizations: OrganizationRepo, projects: ProjectRepo) -> None:
        self._organizations = organizations
        self._projects = projects

    async def execute(self, access: OrganizationAccess) -> OrganizationDetails:
        """The organization the caller was authorized for."""
        return await details(self._organizations, self._projects, access.organization, access.membership.level)


class CreateOrganization:
    """A new organization whose creator is its owner."""

    def __init__(self, transactions: UnitOfWorkFactory, clock: Clock) -> None:
        self._transactions = transactions
        self._clock = clock

    async def execute(self, access: UserAccess, name: str) -> OrganizationDetails:
        """Create it, make the caller its owner, log it; one transaction.

        Raises:
            TenantScopedKeyError: the key is limited to some projects or organizations (403).
            InvalidInputError: a blank or too long name (400).
        """
        if access.key.tenant_scoped:
            raise TenantScopedKeyError
        name = validate_name(name)
        now = self._clock.now()
        async with self._transactions.begin() as uow:
            organization = await uow.organizations.create(Organization(id=str(uuid.uuid4()), name=name, created_at=now))
            await uow.organizations.set_membership(
                Membership(
                    organization_id=organization.id, user_id=access.user.id, level=MembershipLevel.OWNER, joined_at=now
                )
            )
            await _log(uow, organization, access.user.id, now, "created")
            await uow.commit()
        return OrganizationDetails(organization=organization, level=MembershipLevel.OWNER, projects=[], member_count=1)


class UpdateOrganization:
    def __init__(self, transactions: UnitOfWorkFactory, clock: Clock) -> None:
        self._transactions = transactions
        self._clock = clock

    async def execute(self, access: OrganizationAccess, name: str | None) -> OrganizationDetails:
        """Rename the organization (admins and owners).

        Raises:
            MemberEditForbiddenError: the caller is a plain member (403).
            InvalidInputError: a blank or too long name (400).
        """
        require_admin(access.membership, "update this organization")
        now = self._clock.now()
        async with self._transactions.begin() as uow:
            current = await uow.lock_organization(access.organization.id) or access.organization
            updated = current if name is None else msgspec.structs.replace(current, name=validate_name(name))
            if updated != current:
                await uow.organizations.update(updated)
                changes = field_changes(SCOPE, {"name": current.name}, {"name": updated.name})
                await _log(uow, updated, access.user.id, now, "updated", changes)
            projects = await uow.projects.list_for_organization(updated.id)
            members = await uow.organizations.list_members(updated.id)
            await uow.commit()
        return OrganizationDetails(
            organization=updated, level=access.membership.level, projects=projects, member_count=len(members)
        )


async def _log(
    uow: UnitOfWork,
    organization: Organization,
    user_id: int,
    now: datetime,
    activity: Activity,
    changes: tuple[FieldChange, ...] = (),
) -> None:
    await record(
        uow,
        scope=SCOPE,
        activity=activity,
        organization_id=organization.id,
        project_id=None,
        user_id=user_id,
        item_id=organization.id,
        name=organization.name,
        now=now,
        changes=changes,
    )
