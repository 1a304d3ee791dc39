"""Use cases: an organization's projects; a project's name, timezone and public token."""

from __future__ import annotations

from datetime import datetime

import msgspec

from flagcore.app.identity.authorize import Access, OrganizationAccess
from flagcore.app.identity.tokens import new_token
from flagcore.app.tenants.activity import field_changes, record
from flagcore.domain.activity import Activity, FieldChange
from flagcore.domain.identity import PROJECT_API_KEY_PREFIX, Project, mask_secret
from flagcore.domain.identity.members import require_admin
from flagcore.domain.identity.naming import validate_name, validate_timezone
from flagcore.ports.clock import Clock
from flagcore.ports.identity import ProjectCredentialCache, ProjectRepo
from flagcore.ports.snapshots import ProjectSnapshots
from flagcore.ports.unit_of_work import AfterCommit, UnitOfWork, UnitOfWorkFactory

#: PostHog logs project ("team") changes under this scope.
SCOPE = "Team"


class ProjectChanges(msgspec.Struct, frozen=True, kw_only=True):
    name: str | None = None
    timezone: str | None = None


class ListProjects:
    def __init__(self, projects: ProjectRepo) -> None:
        self._projects = projects

    async def execute(self, access: OrganizationAccess) -> list[Project]:
        """The organization's projects, oldest first."""
        return await self._projects.list_for_organization(access.organization.id)


class CreateProject:
    def __init__(self, transactions: UnitOfWorkFactory, clock: Clock) -> None:
        self._transactions = transactions
        self._clock = clock

    async def execute(self, access: OrganizationAccess, name: str, timezone: str = "UTC") -> Project:
        """A new project of the organization with a fresh public token (admins and owners).

        Raises:
            MemberEditForbiddenError: the caller is a plain member (403).
            InvalidInputError: a blank name or an unknown timezone (400).
        """
        require_admin(access.membership, "create projects")
        name, timezone = validate_name(name), validate_timezone(timezone)
        now = self._clock.now()
        async with self._transactions.begin() as uow:
            await uow.lock_organization(access.organization.id)
            project = await uow.projects.create(
                organization_id=access.organization.id,
                name=name,
                api_token=new_token(PROJECT_API_KEY_PREFIX),
                timezone=timezone,
                created_at=now,
            )
            if access.user.current_project_id is None:  # so that @current names something for a new user
                await uow.users.set_current_project(access.user.id, project.id)
            await _log(uow, project, access.user.id, now, "created")
            await uow.commit()
        return project


class UpdateProject:
    def __init__(self, transactions: UnitOfWorkFactory, snapshots: ProjectSnapshots, clock: Clock) -> None:
        self._transactions = transactions
        self._snapshots = snapshots
        self._clock = clock

    async def execute(self, access: Access, changes: ProjectChanges) -> Project:
        """Rename the project or change its timezone (admins and owners); its snapshots follow at once.

        Raises:
            MemberEditForbiddenError: the caller is a plain member (403).
            InvalidInputError: a blank name or an unknown timezone (400).
        """
        require_admin(access.membership, "update this project")
        fields: dict[str, str] = {}
        if changes.name is not None:
            fields["name"] = validate_name(changes.name)
        if changes.timezone is not None:
            fields["timezone"] = validate_timezone(changes.timezone)
        async with self._transactions.begin() as uow:
            current = await uow.lock_project(access.project.id) or access.project
            updated = msgspec.structs.replace(current, **fields)
            if updated != current:
                await uow.projects.update(updated)
                before = {"name": current.name, "timezone": current.timezone}
                after = {"name": updated.name, "timezone": updated.timezone}
                await _log(
                    uow, updated, access.user.id, self._clock.now(), "updated", field_changes(SCOPE, before, after)
                )
                # The evaluation snapshot carries the timezone (date conditions are read in it).
                uow.after_commit(lambda: self._snapshots.invalidate(updated.id))
            await uow.commit()
        return updated


class RotateProjectToken:
    """Replace the public project token: the old one stops working at once on this instance."""

    def __init__(
        self,
        transactions: UnitOfWorkFactory,
        snapshots: ProjectSnapshots,
        credentials: ProjectCredentialCache,
        clock: Clock,
    ) -> None:
        self._transactions = transactions
        self._snapshots = snapshots
        self._credentials = credentials
        self._clock = clock

    async def execute(self, access: Access) -> Project:
        """The project with its new token (admins and owners).

        After the commit the credential cache forgets the project, and the snapshot invalidation tells the other
        instances (whose listeners drop their credential caches too).

        Raises:
            MemberEditForbiddenError: the caller is a plain member (403).
        """
        require_admin(access.membership, "reset this project's token")
        async with self._transactions.begin() as uow:
            current = await uow.lock_project(access.project.id) or access.project
            rotated = msgspec.structs.replace(current, api_token=new_token(PROJECT_API_KEY_PREFIX))
            await uow.projects.update(rotated)
            changes = (
                FieldChange(
                    type=SCOPE,
                    action="changed",
                    field="api_token",
                    before=mask_secret(current.api_token),
                    after=mask_secret(rotated.api_token),
                ),
            )
            await _log(uow, rotated, access.user.id, self._clock.now(), "updated", changes)
            uow.after_commit(self._forget(rotated.id))
            await uow.commit()
        return rotated

    def _forget(self, project_id: int) -> AfterCommit:
        async def forget() -> None:
            self._credentials.forget_project(project_id)
            await self._snapshots.invalidate(project_id)

        return forget


async def _log(
    uow: UnitOfWork,
    project: Project,
    user_id: int,
    now: datetime,
    activity: Activity,
    changes: tuple[FieldChange, ...] = (),
) -> None:
    await record(
        uow,
        scope=SCOPE,
        activity=activity,
        organization_id=project.organization_id,
        project_id=project.id,
        user_id=user_id,
        item_id=str(project.id),
        name=project.name,
        now=now,
        changes=changes,
    )
