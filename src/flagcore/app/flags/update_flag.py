"""Use case: update a feature flag (PUT or PATCH), including soft delete and restore."""

from __future__ import annotations

import asyncio
import random
from typing import Any

import msgspec

from flagcore.app.approvals.gate import ApprovalGate, GatedWrite
from flagcore.app.flags.changes import FlagChanges, Unset, apply_changes
from flagcore.app.flags.cohort_check import check_flag_cohorts
from flagcore.app.flags.payloads import payloads_sent, protect_payloads
from flagcore.app.flags.writes import commit_flag_write
from flagcore.domain.approvals import ApprovalRequiredError
from flagcore.domain.errors import InvalidInputError
from flagcore.domain.flags import FeatureFlag, FlagNotFoundError, VersionConflictError
from flagcore.domain.identity import Project
from flagcore.domain.ids import is_valid_id
from flagcore.ports.clock import Clock
from flagcore.ports.identity import UserRepo
from flagcore.ports.payload_cipher import PayloadCipher
from flagcore.ports.snapshots import ProjectSnapshots
from flagcore.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory

# Writers take the project's write lock, so an unchecked write (no ``version`` sent) reads the flag it changes under
# the lock and its compare-and-set cannot lose. The retry remains for writers of the same row that do not take the
# lock; each lost round means another writer succeeded, and the bound only stops a pathological hot spot from
# spinning forever (then 409). A short random pause spreads the retries of writers that collided.
_MAX_ATTEMPTS = 64
_BACKOFF_S = 0.002


class UpdateFlagCommand(msgspec.Struct, frozen=True, kw_only=True):
    project_id: int
    flag_id: int
    user_id: int | None
    changes: FlagChanges
    expected_version: int | None = None
    full_update: bool = False
    """PUT: ``key`` is required and ``filters`` replaces the stored filters instead of merging into them."""
    approved: ApprovedChange | None = None
    """Set only when replaying an approved change request: the gate is not asked again."""
    trigger: dict[str, Any] | None = None
    """What made the change, for the activity entry (a scheduled change sets its job here)."""


class ApprovedChange(msgspec.Struct, frozen=True, kw_only=True):
    """The change request whose approval this write carries out, and who approved it."""

    change_request_id: str
    approver_ids: tuple[int, ...]

    def trigger(self) -> dict[str, Any]:
        return {
            "job_type": "change_request",
            "job_id": self.change_request_id,
            "payload": {"change_request_id": self.change_request_id, "approved_by": list(self.approver_ids)},
        }


class UpdateFlag:
    """Apply changes to a flag as an atomic compare-and-set on its version.

    With ``expected_version`` the write succeeds only if it is the stored version (strict optimistic concurrency).
    Without it the write is unchecked but still never loses a concurrent update: it is applied to the latest
    stored flag, retrying if another write lands in between.
    """

    def __init__(
        self, transactions: UnitOfWorkFactory, snapshots: ProjectSnapshots, clock: Clock, cipher: PayloadCipher
    ) -> None:
        self._transactions = transactions
        self._snapshots = snapshots
        self._clock = clock
        self._cipher = cipher
        self._gate = ApprovalGate(clock)

    async def execute(self, cmd: UpdateFlagCommand) -> FeatureFlag:
        """Update the flag and return it with its new version.

        Raises:
            FlagNotFoundError: no such flag in the project.
            VersionConflictError: ``expected_version`` is stale.
            InvalidInputError: a broken validation rule.
            DuplicateFlagKeyError: the new key (or a restore) collides with a non-deleted flag.
            ApprovalRequiredError: a policy requires approval; the flag is unchanged, the change request stored.
            PolicyConflictError: more than one policy requires approval for this change.
        """
        if cmd.full_update and isinstance(cmd.changes.key, Unset):
            raise InvalidInputError("This field is required.", code="required", attr="key")
        return await self._attempt_with_retries(cmd)

    async def _attempt_with_retries(self, cmd: UpdateFlagCommand) -> FeatureFlag:
        for _ in range(_MAX_ATTEMPTS - 1):
            try:
                return await self._attempt(cmd)
            except VersionConflictError:
                if cmd.expected_version is not None:
                    raise
            await asyncio.sleep(random.uniform(0, _BACKOFF_S))  # noqa: S311 - jitter, not security
        return await self._attempt(cmd)

    async def _attempt(self, cmd: UpdateFlagCommand) -> FeatureFlag:
        async with self._transactions.begin() as uow:
            return await self.write(uow, cmd)

    async def write(self, uow: UnitOfWork, cmd: UpdateFlagCommand, *, commit_when_gated: bool = True) -> FeatureFlag:
        """One attempt inside ``uow``: read the flag under the project's lock, validate, gate, write, record, commit.

        For use cases that write more in the same commit; they retry on ``VersionConflictError`` themselves.
        Every flag update passes the approval gate here (unless ``cmd.approved``). When it is gated, the flag is
        not written, the change request is added to ``uow``, ``uow`` is committed (so the request persists,
        with whatever else the caller wrote in it) and ``ApprovalRequiredError`` is raised; with
        ``commit_when_gated=False`` the caller commits (or rolls back) itself.
        """
        if not is_valid_id(cmd.flag_id):
            raise FlagNotFoundError(cmd.flag_id)
        project = await uow.lock_project(cmd.project_id)
        current = await uow.flags.get(cmd.project_id, cmd.flag_id) if project is not None else None
        if project is None or current is None:
            raise FlagNotFoundError(cmd.flag_id)
        if cmd.expected_version is not None and cmd.expected_version != current.version:
            modified_by = await _modifier_email(uow.users, current)
            raise VersionConflictError(stored_version=current.version, modified_by=modified_by)
        now = self._clock.now()
        after = apply_changes(
            current,
            cmd.changes,
            replace_filters=cmd.full_update,
            project_flags=await uow.flags.dependency_view(cmd.project_id),
            updated_at=now,
            last_modified_by_id=cmd.user_id,
        )
        if not isinstance(cmd.changes.filters, Unset):  # PostHog validates cohorts only when filters are sent
            await check_flag_cohorts(uow.cohorts, cmd.project_id, after.filters)
        sent = payloads_sent(cmd.changes.filters)
        after = protect_payloads(current, after, sent=sent, cipher=self._cipher)
        if cmd.approved is None:
            await self._check_gate(uow, cmd, project=project, before=current, after=after, commit=commit_when_gated)
        updated = await uow.flags.update(after, expected_version=current.version)
        trigger = cmd.approved.trigger() if cmd.approved is not None else cmd.trigger
        await commit_flag_write(
            uow,
            self._snapshots,
            project=project,
            before=current,
            after=updated,
            user_id=cmd.user_id,
            at=now,
            trigger=trigger,
        )
        return updated

    async def _check_gate(
        self,
        uow: UnitOfWork,
        cmd: UpdateFlagCommand,
        *,
        project: Project,
        before: FeatureFlag,
        after: FeatureFlag,
        commit: bool,
    ) -> None:
        write = GatedWrite(
            project=project,
            user_id=cmd.user_id,
            before=before,
            after=after,
            changes=cmd.changes,
            full_update=cmd.full_update,
            http_method="PUT" if cmd.full_update else "PATCH",
        )
        try:
            await self._gate.check(uow, write)
        except ApprovalRequiredError:
            if commit:
                await uow.commit()  # the change request persists; the flag write does not happen
            raise


async def _modifier_email(users: UserRepo, flag: FeatureFlag) -> str | None:
    if flag.last_modified_by_id is None:
        return None
    user = await users.get(flag.last_modified_by_id)
    return user.email if user is not None else None
