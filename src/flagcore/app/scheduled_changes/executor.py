"""Use case: run the changes that are due, each exactly once across every instance.

Each change runs in a unit of work of its own: it is claimed (its row locked; PostgreSQL skips rows another
instance holds, SQLite has one writer), its flag update goes through the same write path as a PATCH
(``UpdateFlag.write``: validation, the activity entry, snapshot invalidation), and the change's new state (done,
or moved to its next occurrence) commits with the flag in that one transaction. A run that fails leaves the flag
as it was and records the failure in a second unit of work; recoverable failures are retried after
``retry_s``, a bounded number of times (``domain/scheduled_changes/retry.py``).
"""

from __future__ import annotations

import logging
import socket
from datetime import datetime, timedelta
from typing import Final, Literal

import msgspec

from flagcore.app.flags.changes import UNSET, FlagChanges
from flagcore.app.flags.update_flag import UpdateFlag, UpdateFlagCommand
from flagcore.app.scheduled_changes.manage import target_flag
from flagcore.domain.approvals import ApprovalRequiredError
from flagcore.domain.errors import FlagcoreError, InvalidInputError, NotFoundError
from flagcore.domain.scheduled_changes import ScheduledChange, failed, finished, flag_update, next_step, succeeded
from flagcore.ports.clock import Clock
from flagcore.ports.errors import BackendUnavailableError
from flagcore.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory

logger = logging.getLogger("flagcore.scheduled_changes")

#: Changes one run handles at most; the rest wait for the next run (PostHog's batch).
MAX_PER_RUN: Final = 10_000
Outcome = Literal["applied", "failed", "finished", "awaiting_approval", "approval_requested"]


class RunReport(msgspec.Struct, kw_only=True):
    applied: int = 0
    failed: int = 0
    finished: int = 0
    #: Left due because an open change request for the same action and flag waits for approval.
    awaiting_approval: int = 0
    #: Not applied: the approval gate stopped the update and a change request now stands for it.
    approval_requested: int = 0


class RunScheduledChanges:
    """Run every due change once: what ``flagcore scheduled-changes run`` and each instance's worker call."""

    def __init__(
        self, transactions: UnitOfWorkFactory, update_flag: UpdateFlag, clock: Clock, *, retry_s: float
    ) -> None:
        self._transactions = transactions
        self._update_flag = update_flag
        self._clock = clock
        self._retry = timedelta(seconds=retry_s)
        self._hostname = socket.gethostname()

    async def execute(self, *, limit: int = MAX_PER_RUN) -> RunReport:
        """Run the changes due now, one transaction each, until none is left (or ``limit`` ran).

        Raises:
            BackendUnavailableError: the store failed while claiming; what ran before is committed.
        """
        now = self._clock.now()  # one instant per run: a change retried or moved on is not due again in this run
        report = RunReport()
        stuck: set[int] = set()  # failures that could not be recorded: skipped for the rest of this run
        for _ in range(limit):
            outcome = await self._run_next(now, stuck)
            if outcome is None:
                break
            setattr(report, outcome, getattr(report, outcome) + 1)
        return report

    async def _run_next(self, now: datetime, stuck: set[int]) -> Outcome | None:
        async with self._transactions.begin() as uow:
            claimed = [c for c in await uow.scheduled_changes.claim_due(now, limit=len(stuck) + 1) if c.id not in stuck]
            if not claimed:
                return None
            change = claimed[0]
            step = next_step(change, now)
            if step != "apply":  # claims return due changes only: "skip" cannot happen, "finish" ends a recurrence
                await uow.scheduled_changes.save(finished(change, now))
                await uow.commit()
                return "finished"
            try:
                applied = await self._apply(uow, change, now)
            except _AwaitingApprovalError:
                stuck.add(change.id)  # rolled back: due again on the next run, not in this one
                return "awaiting_approval"
            except Exception as exc:  # noqa: BLE001 - every failure is recorded with its reason, never raised
                error: Exception = exc
            else:
                if not applied:
                    return "approval_requested"
                logger.info("scheduled change %d applied to flag %s", change.id, change.record_id)
                return "applied"
        if not await self._record_failure(change, error, now):
            stuck.add(change.id)
        return "failed"

    async def _apply(self, uow: UnitOfWork, change: ScheduledChange, now: datetime) -> bool:
        # The project's lock before reading the flag: the update is computed from the flag it is written over.
        await uow.lock_project(change.project_id)
        flag = await target_flag(uow.flags, change.project_id, change.record_id)
        update = flag_update(change.payload, flag)
        changes = FlagChanges(
            active=update.active if update.active is not None else UNSET,
            filters=update.filters if update.filters is not None else UNSET,
        )
        cmd = UpdateFlagCommand(
            project_id=change.project_id,
            flag_id=flag.id,
            user_id=change.created_by_id if change.created_by_id is not None else flag.created_by_id,
            changes=changes,
        )
        await uow.scheduled_changes.save(succeeded(change, now))
        return await self.apply_through_gate(uow, change, cmd)

    async def apply_through_gate(self, uow: UnitOfWork, change: ScheduledChange, cmd: UpdateFlagCommand) -> bool:
        """Write the change's flag update, unless the approval gate stops it.

        ``UpdateFlag.write`` validates, gates, records the activity entry, invalidates snapshots after commit and
        commits ``uow`` (which also holds the change's new state). A gated update is not applied: the gate added a
        change request to ``uow`` instead, and committing it with the change's new state means "this occurrence
        asked for approval" (approving the request applies the update). An open request for the same action
        already exists (PostHog's conflicting pending request): nothing commits and the change stays due, retried on
        a later run, as PostHog's sweep leaves such a row untouched. Returns whether the update was applied.
        """
        try:
            await self._update_flag.write(uow, cmd, commit_when_gated=False)
        except ApprovalRequiredError as gated:
            if gated.duplicate:
                raise _AwaitingApprovalError from gated
            await uow.commit()
            logger.info("scheduled change %d needs approval: change request %s", change.id, gated.change_request.id)
            return False
        return True

    async def _record_failure(self, change: ScheduledChange, error: Exception, now: datetime) -> bool:
        message = error.detail if isinstance(error, FlagcoreError) else (str(error) or type(error).__name__)
        invalid_input = isinstance(error, InvalidInputError | NotFoundError)
        if not isinstance(error, FlagcoreError | BackendUnavailableError):
            logger.error("scheduled change %d failed unexpectedly", change.id, exc_info=error)
        try:
            async with self._transactions.begin() as uow:
                current = await uow.scheduled_changes.lock(change.project_id, change.id)
                if current != change:  # edited, deleted or run by someone else meanwhile: their state stands
                    return True
                after = failed(
                    change,
                    error=message,
                    error_type=type(error).__name__,
                    invalid_input=invalid_input,
                    hostname=self._hostname,
                    now=now,
                    retry_delay=self._retry,
                )
                await uow.scheduled_changes.save(after)
                await uow.commit()
        except BackendUnavailableError:
            logger.warning("scheduled change %d failed (%s); the failure could not be recorded", change.id, message)
            return False
        logger.warning("scheduled change %d failed: %s (attempt %d)", change.id, message, after.failure_count)
        return True


class _AwaitingApprovalError(Exception):
    """The change's update waits for an open change request: its unit of work is rolled back, nothing recorded."""
