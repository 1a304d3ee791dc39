"""Use case: soft-delete many flags at once (``bulk_delete/``), in one transaction with one entry per flag."""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

import msgspec

from flagcore.app.approvals.gate import ApprovalGate, GatedWrite
from flagcore.app.flags.actions import MAX_BULK_IDS, all_matching, with_stale_cutoff
from flagcore.app.flags.changes import FlagChanges, apply_changes
from flagcore.app.flags.writes import record_flag_write
from flagcore.domain.approvals import ApprovalRequiredError
from flagcore.domain.errors import InvalidInputError
from flagcore.domain.flags import DependencyInfo, FeatureFlag
from flagcore.domain.flags.status import RolloutState, rollout_state
from flagcore.domain.identity import Project, ProjectNotFoundError
from flagcore.domain.ids import is_valid_id
from flagcore.ports.clock import Clock
from flagcore.ports.flags import FlagQuery
from flagcore.ports.snapshots import ProjectSnapshots
from flagcore.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory


class DeletedFlag(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    key: str
    rollout_state: RolloutState
    active_variant: str | None


class BulkDeleteError(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    id: Any  # as sent, when it is not a valid id
    reason: str
    key: str | None = None


class BulkDeleteResult(msgspec.Struct, frozen=True, kw_only=True):
    deleted: list[DeletedFlag]
    errors: list[BulkDeleteError]


class BulkDeleteCommand(msgspec.Struct, frozen=True, kw_only=True):
    """Exactly one of ``ids`` (raw, as sent) or ``query`` (the listing's filters) names the flags."""

    project_id: int
    user_id: int | None
    ids: list[object] | None = None
    query: FlagQuery | None = None


class BulkDeleteFlags:
    """Soft-delete the flags named by id or by a listing's filters, each under the rules of a single soft delete.

    Everything happens in one unit of work under the project's write lock: the flags deleted, their activity
    entries and the snapshot invalidation commit together or not at all. A flag that may not be deleted (active
    flags depend on it) is reported in ``errors`` and left as it is. Flags are tried again while a pass deletes
    something, so a flag whose only dependents are deleted by the same request is deleted too.

    Each delete passes the approval gate (deleting an active flag is a ``feature_flag.disable``): a gated flag is
    reported in ``errors`` with the gate's message and its change request is committed with the rest.
    """

    def __init__(self, transactions: UnitOfWorkFactory, snapshots: ProjectSnapshots, clock: Clock) -> None:
        self._transactions = transactions
        self._snapshots = snapshots
        self._clock = clock
        self._gate = ApprovalGate(clock)

    async def execute(self, cmd: BulkDeleteCommand) -> BulkDeleteResult:
        """Delete what may be deleted and report the rest.

        Raises:
            InvalidInputError: more than ``MAX_BULK_IDS`` ids.
            ProjectNotFoundError: the project does not exist (any more).
        """
        if cmd.ids is not None and len(cmd.ids) > MAX_BULK_IDS:
            raise InvalidInputError(f"At most {MAX_BULK_IDS} flags can be deleted at once.", attr="ids")
        now = self._clock.now()
        async with self._transactions.begin() as uow:
            project = await uow.lock_project(cmd.project_id)
            if project is None:
                raise ProjectNotFoundError
            errors: list[BulkDeleteError] = []
            candidates = await self._candidates(uow, cmd, errors)
            view = await uow.flags.dependency_view(cmd.project_id)
            deleted: list[DeletedFlag] = []
            gated: list[BulkDeleteError] = []
            refusals: dict[int, str] = {}
            progress = True
            while candidates and progress:
                progress = False
                remaining: list[FeatureFlag] = []
                for flag in candidates:
                    try:
                        reason = await self._delete(uow, flag, view, cmd.user_id, now, project=project)
                    except ApprovalRequiredError as exc:  # not retried: only an approval lets it through
                        gated.append(BulkDeleteError(id=flag.id, key=flag.key, reason=exc.detail))
                        continue
                    if reason is None:
                        state, variant = rollout_state(flag)
                        deleted.append(
                            DeletedFlag(id=flag.id, key=flag.key, rollout_state=state, active_variant=variant)
                        )
                        view.pop(flag.id, None)
                        progress = True
                    else:
                        refusals[flag.id] = reason
                        remaining.append(flag)
                candidates = remaining
            errors += gated
            errors += [BulkDeleteError(id=f.id, key=f.key, reason=refusals[f.id]) for f in candidates]
            if deleted:
                uow.after_commit(functools.partial(self._snapshots.invalidate, project.id))
            await uow.commit()
        return BulkDeleteResult(deleted=deleted, errors=errors)

    async def _candidates(
        self, uow: UnitOfWork, cmd: BulkDeleteCommand, errors: list[BulkDeleteError]
    ) -> list[FeatureFlag]:
        if cmd.query is not None:
            return await all_matching(uow.flags, cmd.project_id, with_stale_cutoff(cmd.query, self._clock))
        found: list[FeatureFlag] = []
        seen: set[int] = set()
        for raw in cmd.ids or []:
            flag_id = _as_id(raw)
            if flag_id is None:
                errors.append(BulkDeleteError(id=raw, reason="Invalid flag ID format"))
                continue
            if flag_id in seen:
                continue
            seen.add(flag_id)
            flag = await uow.flags.get(cmd.project_id, flag_id)
            if flag is None or flag.deleted:
                errors.append(BulkDeleteError(id=raw, reason="Flag not found"))
            else:
                found.append(flag)
        return found

    async def _delete(
        self,
        uow: UnitOfWork,
        flag: FeatureFlag,
        view: dict[int, DependencyInfo],
        user_id: int | None,
        now: datetime,
        *,
        project: Project,
    ) -> str | None:
        """Soft-delete one flag, or return why it may not be deleted.

        Raises:
            ApprovalRequiredError: the delete needs approval (its change request is in ``uow``).
        """
        changes = FlagChanges(deleted=True)
        try:
            after = apply_changes(
                flag, changes, replace_filters=False, project_flags=view, updated_at=now, last_modified_by_id=user_id
            )
            write = GatedWrite(project=project, user_id=user_id, before=flag, after=after, changes=changes)
            await self._gate.check(uow, write)
        except InvalidInputError as exc:  # a broken rule, or a policy conflict
            return exc.detail
        updated = await uow.flags.update(after, expected_version=flag.version)
        await record_flag_write(uow, project=project, before=flag, after=updated, user_id=user_id, at=now)
        return None


def _as_id(raw: object) -> int | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw if is_valid_id(raw) else None
    if isinstance(raw, str) and raw.isascii() and raw.isdigit():
        value = int(raw)
        return value if is_valid_id(value) else None
    return None
