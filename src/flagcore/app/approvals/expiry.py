"""Use case and background task: expire change requests past their ``expires_at`` and mark stale ones.

Expiry is one conditional write per run (``ChangeRequestRepo.expire_due``), so instances running it at once
expire each request once. Staleness (the flag changed since the request was made) is checked under the project's
write lock and saved as a compare-and-set, so it never overwrites a request another instance moved on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Final

import msgspec

from flagcore.domain.approvals import ChangeRequestState, ValidationStatus
from flagcore.domain.approvals.lifecycle import stale
from flagcore.ports.clock import Clock
from flagcore.ports.unit_of_work import UnitOfWorkFactory

logger = logging.getLogger("flagcore.approvals")
_STALENESS_BATCH: Final = 500


class ExpiryReport(msgspec.Struct, frozen=True, kw_only=True):
    expired: int
    stale: int


class ExpireChangeRequests:
    def __init__(self, transactions: UnitOfWorkFactory, clock: Clock) -> None:
        self._transactions = transactions
        self._clock = clock

    async def execute(self) -> ExpiryReport:
        """Expire what is due, then mark pending requests whose flag changed as stale."""
        now = self._clock.now()
        async with self._transactions.begin() as uow:
            expired = await uow.change_requests.expire_due(now)
            await uow.commit()
        async with self._transactions.begin() as uow:
            pending = await uow.change_requests.list_open(limit=_STALENESS_BATCH)
        marked = 0
        for request in pending:
            if request.validation_status is not ValidationStatus.VALID or request.resource_id is None:
                continue
            async with self._transactions.begin() as uow:
                await uow.lock_project(request.project_id)
                flag = await uow.flags.get(request.project_id, int(request.resource_id))
                if flag is not None and flag.version == request.expected_version and not flag.deleted:
                    continue
                if await uow.change_requests.save(stale(request, now=now), expected_state=ChangeRequestState.PENDING):
                    marked += 1
                await uow.commit()
        return ExpiryReport(expired=expired, stale=marked)


class ChangeRequestExpiryTask:
    """Runs :class:`ExpireChangeRequests` every ``interval_s`` in the background of a serving process."""

    def __init__(self, expire: ExpireChangeRequests, interval_s: float) -> None:
        self._expire = expire
        self._interval_s = interval_s
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._interval_s > 0 and self._task is None:
            self._task = asyncio.create_task(self._run(), name="change-request-expiry")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._interval_s)
            try:
                report = await self._expire.execute()
            except Exception:  # a failed round (database down) must not end the task: the next one retries
                logger.exception("change request expiry failed")
                continue
            if report.expired or report.stale:
                logger.info("change requests: %d expired, %d marked stale", report.expired, report.stale)
