"""Use case: apply manifest changes (create, update, upsert, archive) to a project's flags in ONE transaction.

Every write is checked by the rules the management API applies (key, filters, size limits, flag count,
dependencies, transitions) under the project's write lock, records its activity entry in the same commit and
invalidates the snapshots after it. An unchanged flag is not written: pushing a pulled manifest changes nothing.
With ``dry_run`` the outcome is computed the same way and the transaction is rolled back.

Updates and archives pass the approval gate as a PATCH does. A gated change stops the whole sync (all or none):
nothing of it is applied, the change request is stored on its own, and ``ApprovalRequiredError`` carries it to the
caller; approving the request applies that flag's change. A dry run does not ask the gate: it reports the changes.
"""

from __future__ import annotations

import functools
import uuid
from datetime import datetime
from typing import Any, Literal

import msgspec

from flagcore.app.approvals.gate import ApprovalGate, GatedWrite
from flagcore.app.flags.changes import FlagChanges, apply_changes, new_flag_filters
from flagcore.domain.activity import flag_activity
from flagcore.domain.approvals import ApprovalRequiredError
from flagcore.domain.flags import FeatureFlag, NewFlag, validate_dependencies, validate_key
from flagcore.domain.flags.limits import check_flag_count
from flagcore.domain.identity import Project, ProjectNotFoundError
from flagcore.domain.openfeature import (
    FlagDeclaration,
    FlagTypeChangeError,
    ManifestFlag,
    ManifestFlagExistsError,
    ManifestFlagNotFoundError,
    creation_filters,
    manifest_entry,
    validate_default,
)
from flagcore.domain.openfeature.activity import manifest_activity
from flagcore.ports.clock import Clock
from flagcore.ports.snapshots import ProjectSnapshots
from flagcore.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory

Operation = Literal["create", "update", "upsert", "archive"]
Outcome = Literal["created", "updated", "unchanged", "archived"]


class ManifestChange(msgspec.Struct, frozen=True, kw_only=True):
    """One requested change: ``flag`` for create/update/upsert, only ``key`` for archive."""

    operation: Operation
    key: str
    flag: ManifestFlag | None = None


class SyncManifestCommand(msgspec.Struct, frozen=True, kw_only=True):
    project_id: int
    user_id: int | None
    changes: list[ManifestChange]
    dry_run: bool = False


class ChangeResult(msgspec.Struct, frozen=True, kw_only=True):
    key: str
    outcome: Outcome
    flag: ManifestFlag
    #: The remote flag before the change (None for a create).
    before: ManifestFlag | None = None
    #: Dry runs only: a policy would stop this change (the real sync answers 409 and stores a change request).
    approval_required: bool = False


class SyncResult(msgspec.Struct, frozen=True, kw_only=True):
    results: list[ChangeResult]
    at: datetime
    dry_run: bool


class SyncManifest:
    """Apply a list of manifest changes atomically: all of them commit, or (on the first error) none."""

    def __init__(self, transactions: UnitOfWorkFactory, snapshots: ProjectSnapshots, clock: Clock) -> None:
        self._transactions = transactions
        self._snapshots = snapshots
        self._clock = clock
        self._gate = ApprovalGate(clock)

    async def execute(self, cmd: SyncManifestCommand) -> SyncResult:
        """Apply ``cmd.changes`` in order.

        Raises:
            ProjectNotFoundError: no such project.
            ManifestFlagExistsError: ``create`` of a key a live flag has.
            ManifestFlagNotFoundError: ``update`` or ``archive`` of a key no live flag has.
            ApprovalRequiredError: a change needs approval; nothing was applied, its change request is stored.
            FlagTypeChangeError: an update that changes the declared type.
            InvalidInputError: a rule of the management API or of the mapping is broken.
        """
        now = self._clock.now()
        try:
            async with self._transactions.begin() as uow:
                project = await uow.lock_project(cmd.project_id)
                if project is None:
                    raise ProjectNotFoundError
                writer = _Writer(uow, project, cmd.user_id, now, gate=self._gate, dry_run=cmd.dry_run)
                results = [await writer.apply(change) for change in cmd.changes]
                if not cmd.dry_run and writer.wrote:
                    uow.after_commit(functools.partial(self._snapshots.invalidate, project.id))
                    await uow.commit()
        except ApprovalRequiredError as gated:
            if not gated.duplicate:  # the sync's unit of work was rolled back: the request is stored on its own
                await self._store_request(gated)
            raise
        return SyncResult(results=results, at=now, dry_run=cmd.dry_run)

    async def _store_request(self, gated: ApprovalRequiredError) -> None:
        async with self._transactions.begin() as uow:
            await uow.lock_project(gated.change_request.project_id)
            await uow.change_requests.add(gated.change_request)
            await uow.commit()


class _Writer:
    """The writes of one unit of work."""

    def __init__(
        self,
        uow: UnitOfWork,
        project: Project,
        user_id: int | None,
        now: datetime,
        *,
        gate: ApprovalGate,
        dry_run: bool = False,
    ) -> None:
        self._uow = uow
        self._gate = gate
        #: A dry run stores no change request: a change the gate would stop is marked, and the run goes on.
        self._dry_run = dry_run
        self._project = project
        self._user_id = user_id
        self._now = now
        self.wrote = False

    async def apply(self, change: ManifestChange) -> ChangeResult:
        current = await self._uow.flags.get_by_key(self._project.id, change.key)
        if change.operation == "archive":
            if current is None:
                raise ManifestFlagNotFoundError(change.key)
            return await self._archive(current)
        incoming = change.flag
        assert incoming is not None  # noqa: S101 - the command's invariant for non-archive operations
        if current is None:
            if change.operation == "update":
                raise ManifestFlagNotFoundError(change.key)
            return await self._create(incoming)
        if change.operation == "create":
            raise ManifestFlagExistsError(change.key)
        return await self._update(current, incoming)

    async def _create(self, incoming: ManifestFlag) -> ChangeResult:
        key = validate_key(incoming.key)
        changes = FlagChanges(name=incoming.description)  # the management API's size checks on the name
        filters = new_flag_filters(creation_filters(incoming))
        project_flags = await self._uow.flags.dependency_view(self._project.id)
        check_flag_count(len(project_flags))
        validate_dependencies(flag_id=None, key=key, filters=filters, project_flags=project_flags)
        created = await self._uow.flags.create(
            NewFlag(
                project_id=self._project.id,
                key=key,
                name=changes.name if isinstance(changes.name, str) else "",
                filters=filters,
                active=True,
                ensure_experience_continuity=False,
                evaluation_runtime="all",
                bucketing_identifier="distinct_id",
                is_remote_configuration=False,
                has_encrypted_payloads=False,
                tags=(),
                evaluation_tags=(),
                created_at=self._now,
                created_by_id=self._user_id,
            )
        )
        declaration = self._declaration(created, incoming)
        await self._uow.flag_declarations.put(declaration)
        await self._record(None, created, None, declaration)
        return ChangeResult(key=key, outcome="created", flag=manifest_entry(created, declaration))

    async def _update(self, current: FeatureFlag, incoming: ManifestFlag) -> ChangeResult:
        stored = (await self._uow.flag_declarations.get_many(self._project.id, [current.id])).get(current.id)
        existing = manifest_entry(current, stored)
        if existing.same_metadata(incoming):
            return ChangeResult(key=current.key, outcome="unchanged", flag=existing, before=existing)
        if stored is not None and incoming.flag_type != stored.flag_type:
            raise FlagTypeChangeError(current.key, stored.flag_type, incoming.flag_type)
        filters: dict[str, Any] | msgspec.UnsetType = msgspec.UNSET
        # Targeting is never lost: the filters are regenerated only while they are still what the manifest created.
        if stored is not None and current.filters == new_flag_filters(creation_filters(existing)):
            filters = creation_filters(incoming)
        changes = FlagChanges(name=incoming.description, filters=filters)
        project_flags = await self._uow.flags.dependency_view(self._project.id)
        after = apply_changes(
            current,
            changes,
            replace_filters=True,
            project_flags=project_flags,
            updated_at=self._now,
            last_modified_by_id=self._user_id,
        )
        declaration = self._declaration(current, incoming)
        updated = current
        gated = False
        if flag_activity(current, after, entry_id="", organization_id="", user_id=None, at=self._now) is not None:
            gated = await self._check_gate(current, after, changes)
            updated = await self._uow.flags.update(after, expected_version=current.version)
        await self._uow.flag_declarations.put(declaration)
        await self._record(current, updated, stored, declaration)
        return ChangeResult(
            key=current.key,
            outcome="updated",
            flag=manifest_entry(updated, declaration),
            before=existing,
            approval_required=gated,
        )

    async def _archive(self, current: FeatureFlag) -> ChangeResult:
        stored = (await self._uow.flag_declarations.get_many(self._project.id, [current.id])).get(current.id)
        project_flags = await self._uow.flags.dependency_view(self._project.id)
        archive = FlagChanges(deleted=True)
        after = apply_changes(
            current,
            archive,
            replace_filters=False,
            project_flags=project_flags,
            updated_at=self._now,
            last_modified_by_id=self._user_id,
        )
        gated = await self._check_gate(current, after, archive)
        updated = await self._uow.flags.update(after, expected_version=current.version)
        entry = flag_activity(
            current,
            updated,
            entry_id=str(uuid.uuid4()),
            organization_id=self._project.organization_id,
            user_id=self._user_id,
            at=self._now,
        )
        if entry is not None:
            await self._uow.record(entry)
        self.wrote = True
        flag = manifest_entry(updated, stored)
        return ChangeResult(key=current.key, outcome="archived", flag=flag, before=flag, approval_required=gated)

    async def _check_gate(self, before: FeatureFlag, after: FeatureFlag, changes: FlagChanges) -> bool:
        """Whether a dry run's change would be stopped; a real one raises as the gate decides."""
        write = GatedWrite(project=self._project, user_id=self._user_id, before=before, after=after, changes=changes)
        if self._dry_run:
            return await self._gate.would_stop(self._uow, write)
        await self._gate.check(self._uow, write)
        return False

    def _declaration(self, flag: FeatureFlag, incoming: ManifestFlag) -> FlagDeclaration:
        default = validate_default(incoming.flag_type, incoming.default_value)
        return FlagDeclaration(
            project_id=self._project.id, flag_id=flag.id, flag_type=incoming.flag_type, default_value=default
        )

    async def _record(
        self,
        before: FeatureFlag | None,
        after: FeatureFlag,
        before_declaration: FlagDeclaration | None,
        declaration: FlagDeclaration,
    ) -> None:
        entry = manifest_activity(
            before,
            after,
            before_declaration,
            declaration,
            entry_id=str(uuid.uuid4()),
            organization_id=self._project.organization_id,
            user_id=self._user_id,
            at=self._now,
        )
        if entry is not None:
            await self._uow.record(entry)
        self.wrote = True
