"""Use case: update a feature flag (PUT or PATCH), including soft delete and restore."""

from __future__ import annotations

import asyncio
import random

import msgspec

from flagcore.app.flags.changes import FlagChanges, Unset, apply_changes
from flagcore.app.flags.dependency_guard import confirm_or_undo, needs_confirmation
from flagcore.domain.errors import InvalidInputError
from flagcore.domain.flags import FeatureFlag, FlagNotFoundError, VersionConflictError
from flagcore.domain.ids import is_valid_id
from flagcore.ports.clock import Clock
from flagcore.ports.flags import FlagRepo
from flagcore.ports.identity import UserRepo
from flagcore.ports.snapshots import ProjectSnapshots

# An unchecked write (no ``version`` sent) that loses a race re-reads and re-applies. Each lost round means another
# writer succeeded, so N concurrent writers need at most N rounds; the bound only stops a pathological hot spot from
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


class UpdateFlag:
    """Apply changes to a flag as an atomic compare-and-set on its version.

    With ``expected_version`` the write succeeds only if it is the stored version (strict optimistic concurrency).
    Without it the write is unchecked but still never loses a concurrent update: it is applied to the latest
    stored flag, retrying if another write lands in between.
    """

    def __init__(self, flags: FlagRepo, users: UserRepo, snapshots: ProjectSnapshots, clock: Clock) -> None:
        self._flags = flags
        self._snapshots = snapshots
        self._users = users
        self._clock = clock

    async def execute(self, cmd: UpdateFlagCommand) -> FeatureFlag:
        """Update the flag and return it with its new version.

        Raises:
            FlagNotFoundError: no such flag in the project.
            VersionConflictError: ``expected_version`` is stale.
            InvalidInputError: a broken validation rule.
            DuplicateFlagKeyError: the new key (or a restore) collides with a non-deleted flag.
        """
        if cmd.full_update and isinstance(cmd.changes.key, Unset):
            raise InvalidInputError("This field is required.", code="required", attr="key")
        before, updated = await self._attempt_with_retries(cmd)
        try:
            if needs_confirmation(before, updated):
                await confirm_or_undo(self._flags, before, updated)
        finally:
            # After the commit, never before: a reader refilling the cache in between would see the old snapshot.
            await self._snapshots.invalidate(cmd.project_id)
        return updated

    async def _attempt_with_retries(self, cmd: UpdateFlagCommand) -> tuple[FeatureFlag, FeatureFlag]:
        for _ in range(_MAX_ATTEMPTS - 1):
            try:
                return await self._attempt(cmd)
            except VersionConflictError:
                if cmd.expected_version is not None:
                    raise
            await asyncio.sleep(random.uniform(0, _BACKOFF_S))  # noqa: S311 - jitter, not security
        return await self._attempt(cmd)

    async def _attempt(self, cmd: UpdateFlagCommand) -> tuple[FeatureFlag, FeatureFlag]:
        """The flag before and after the write."""
        current = await self._flags.get(cmd.project_id, cmd.flag_id) if is_valid_id(cmd.flag_id) else None
        if current is None:
            raise FlagNotFoundError(cmd.flag_id)
        if cmd.expected_version is not None and cmd.expected_version != current.version:
            raise VersionConflictError(stored_version=current.version, modified_by=await self._modifier_email(current))
        after = apply_changes(
            current,
            cmd.changes,
            replace_filters=cmd.full_update,
            project_flags=await self._flags.dependency_view(cmd.project_id),
            updated_at=self._clock.now(),
            last_modified_by_id=cmd.user_id,
        )
        return current, await self._flags.update(after, expected_version=current.version)

    async def _modifier_email(self, flag: FeatureFlag) -> str | None:
        if flag.last_modified_by_id is None:
            return None
        user = await self._users.get(flag.last_modified_by_id)
        return user.email if user is not None else None
