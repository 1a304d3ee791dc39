"""Organization-level flag use cases: one key across the organization's projects, and copying a flag to projects.

The caller's membership of the organization is checked before these run (``Authorize.organization``); projects
are always looked up inside that organization, so another organization's project ids behave as missing ones.
"""

from __future__ import annotations

import contextlib
from typing import Final

import msgspec

from flagcore.app.flags.changes import FlagChanges
from flagcore.app.flags.copy_cohorts import carry_cohorts, source_cohorts
from flagcore.app.flags.create_flag import CreateFlag, CreateFlagCommand
from flagcore.app.flags.payloads import decrypt_payload
from flagcore.app.flags.update_flag import UpdateFlag, UpdateFlagCommand
from flagcore.domain.cohorts import Cohort
from flagcore.domain.cohorts.remap import remap_flag_filters
from flagcore.domain.errors import FlagcoreError, InvalidInputError, NotFoundError
from flagcore.domain.flags import FeatureFlag, VersionConflictError
from flagcore.domain.identity import Project, ProjectNotFoundError
from flagcore.domain.ids import is_valid_id
from flagcore.ports.clock import Clock
from flagcore.ports.cohorts import CohortRepo
from flagcore.ports.flags import FlagRepo
from flagcore.ports.identity import ProjectRepo
from flagcore.ports.payload_cipher import PayloadCipher
from flagcore.ports.unit_of_work import UnitOfWorkFactory

#: Targets of one copy request (PostHog's later cap).
MAX_COPY_TARGETS: Final = 50
#: Attempts of one target's write when writers that skip the project lock keep winning (as ``UpdateFlag``).
_MAX_ATTEMPTS: Final = 64


class ProjectFlag(msgspec.Struct, frozen=True, kw_only=True):
    project: Project
    flag: FeatureFlag


class FlagAcrossProjects:
    """The non-deleted flag with a key in each of the organization's projects that has one, by project id."""

    def __init__(self, projects: ProjectRepo, flags: FlagRepo) -> None:
        self._projects = projects
        self._flags = flags

    async def execute(self, organization_id: str, key: str) -> list[ProjectFlag]:
        found: list[ProjectFlag] = []
        for project in sorted(await self._projects.list_for_organization(organization_id), key=lambda p: p.id):
            flag = await self._flags.get_by_key(project.id, key)
            if flag is not None:
                found.append(ProjectFlag(project=project, flag=flag))
        return found


class CopyFlagsCommand(msgspec.Struct, frozen=True, kw_only=True):
    organization_id: str
    user_id: int
    key: str
    from_project: int
    target_project_ids: list[int]


class CopyFailure(msgspec.Struct, frozen=True, kw_only=True):
    project_id: int
    errors: str


class CopyResult(msgspec.Struct, frozen=True, kw_only=True):
    success: list[FeatureFlag]
    failed: list[CopyFailure]


class SourceFlagNotFoundError(NotFoundError):
    def __init__(self) -> None:
        super().__init__("Feature flag to copy does not exist.")


class CopyFlags:
    """Copy a flag to other projects of the same organization: PATCH where the key exists, else create.

    Each target is one unit of work: its cohorts (matched by name, created when missing, see ``copy_cohorts``), the
    flag with its cohort ids rewritten to the target's, and the activity entry commit together. A target that fails
    (its rules, a missing project) is reported in ``failed``, leaves nothing behind, and does not undo the others.
    No ``version`` is sent, so a copy never conflicts; it is recorded in each target's activity log as a create or
    an update.
    """

    def __init__(
        self,
        transactions: UnitOfWorkFactory,
        projects: ProjectRepo,
        flags: FlagRepo,
        cohorts: CohortRepo,
        create: CreateFlag,
        update: UpdateFlag,
        cipher: PayloadCipher,
        clock: Clock,
    ) -> None:
        self._transactions = transactions
        self._cipher = cipher
        self._projects = projects
        self._flags = flags
        self._cohorts = cohorts
        self._create = create
        self._update = update
        self._clock = clock

    async def execute(self, cmd: CopyFlagsCommand) -> CopyResult:
        """Copy and report per target.

        Raises:
            InvalidInputError: more than ``MAX_COPY_TARGETS`` targets.
            SourceFlagNotFoundError: no such flag in the source project, or a source outside the organization.
        """
        if len(cmd.target_project_ids) > MAX_COPY_TARGETS:
            raise InvalidInputError(f"At most {MAX_COPY_TARGETS} target projects are allowed.")
        source_project = await self._in_organization(cmd.from_project, cmd.organization_id)
        source = await self._flags.get_by_key(source_project.id, cmd.key) if source_project is not None else None
        if source is None:
            raise SourceFlagNotFoundError
        filters = source.filters
        if source.has_encrypted_payloads:  # copied as plaintext, encrypted again by each target's write
            plain = {key: decrypt_payload(value, self._cipher) for key, value in filters.payloads.items()}
            filters = msgspec.structs.replace(filters, payloads=plain)
        changes = FlagChanges(
            key=source.key,
            name=source.name,
            filters=msgspec.to_builtins(filters),
            active=source.active,
            ensure_experience_continuity=source.ensure_experience_continuity,
            evaluation_runtime=source.evaluation_runtime,
            bucketing_identifier=source.bucketing_identifier,
            is_remote_configuration=source.is_remote_configuration,
            has_encrypted_payloads=source.has_encrypted_payloads,
        )
        needed = await source_cohorts(self._cohorts, source.project_id, msgspec.to_builtins(source.filters))
        success: list[FeatureFlag] = []
        failed: list[CopyFailure] = []
        for target_id in dict.fromkeys(cmd.target_project_ids):
            target = await self._in_organization(target_id, cmd.organization_id)
            if target is None:
                failed.append(CopyFailure(project_id=target_id, errors="Project not found."))
                continue
            try:
                success.append(await self._copy_with_retries(target, changes, needed, cmd.user_id))
            except FlagcoreError as exc:
                failed.append(CopyFailure(project_id=target_id, errors=exc.detail))
        return CopyResult(success=success, failed=failed)

    async def _copy_with_retries(
        self, target: Project, changes: FlagChanges, needed: list[Cohort], user_id: int
    ) -> FeatureFlag:
        # As UpdateFlag: an unchecked write retried when a writer that skips the project lock got in between.
        for _ in range(_MAX_ATTEMPTS - 1):
            with contextlib.suppress(VersionConflictError):
                return await self._copy_to(target, changes, needed, user_id)
        return await self._copy_to(target, changes, needed, user_id)

    async def _copy_to(self, target: Project, changes: FlagChanges, needed: list[Cohort], user_id: int) -> FeatureFlag:
        async with self._transactions.begin() as uow:
            if await uow.lock_project(target.id) is None:
                raise ProjectNotFoundError
            mapping = await carry_cohorts(uow, needed, project_id=target.id, user_id=user_id, at=self._clock.now())
            if mapping and isinstance(changes.filters, dict):
                changes = msgspec.structs.replace(changes, filters=remap_flag_filters(changes.filters, mapping))
            existing = await uow.flags.get_by_key(target.id, str(changes.key))
            if existing is None:
                create = CreateFlagCommand(project_id=target.id, user_id=user_id, fields=changes)
                return await self._create.write(uow, create)
            patch = msgspec.structs.replace(changes, deleted=False)
            update = UpdateFlagCommand(project_id=target.id, flag_id=existing.id, user_id=user_id, changes=patch)
            return await self._update.write(uow, update)

    async def _in_organization(self, project_id: int, organization_id: str) -> Project | None:
        project = await self._projects.get(project_id) if is_valid_id(project_id) else None
        return project if project is not None and project.organization_id == organization_id else None
