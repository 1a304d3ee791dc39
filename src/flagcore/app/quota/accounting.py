"""Usage accounting: requests are summed in process and flushed to the counter store every second or so.

Counting a request is one dictionary update by organization, never I/O nor a clock read (about 1 µs), so it
never fails the serving path. Units are dated when they are flushed (the UTC day of the flush, so at midnight up
to one flush interval of usage lands on the next day). A flush that fails keeps its units for the next one
(bounded: past ``pending_limit`` units the oldest days are dropped and counted as dropped), so a counter store
outage delays counting, or at worst loses some, but never fails a request. ``/_status`` shows the store's state.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import defaultdict
from typing import Final

from flagcore.domain.quota import Resource, UsageKey, day_of
from flagcore.ports.clock import Clock
from flagcore.ports.errors import BackendUnavailableError
from flagcore.ports.quota import UsageCounters

logger = logging.getLogger("flagcore.quota")

#: Units held while the store is down before the oldest are given up (a few minutes of heavy traffic).
PENDING_LIMIT: Final = 10_000_000
_FLAGS: Final = Resource.FEATURE_FLAG_REQUESTS
_LOG_EVERY_S: Final = 60.0


class UsageAccounting:
    """Counts units per organization and day in process; flushes them to ``counters`` in the background."""

    def __init__(
        self, counters: UsageCounters, clock: Clock, *, flush_s: float, pending_limit: int = PENDING_LIMIT
    ) -> None:
        self._counters = counters
        self._clock = clock
        self._flush_s = flush_s
        self._pending_limit = pending_limit
        #: Counted since the last flush, by organization (dated at the flush).
        self._current: dict[str, int] = {}
        #: Dated units not yet accepted by the store (a flush failed).
        self._pending: defaultdict[UsageKey, int] = defaultdict(int)
        self._pending_units = 0
        self._task: asyncio.Task[None] | None = None
        self._closed = False
        self.store_ok = True
        self.flush_failures = 0
        self.dropped_units = 0
        self._logged_at = 0.0

    @property
    def pending_units(self) -> int:
        return self._pending_units

    def count(self, organization_id: str, amount: int) -> None:
        """Add ``amount`` feature flag request units to the organization's counter (no I/O; flushed later)."""
        current = self._current
        current[organization_id] = current.get(organization_id, 0) + amount
        self._pending_units += amount

    def start(self) -> None:
        """Start flushing every ``flush_s`` in the background (at start-up: see ``app/main.py``).

        Not from a request: granian waits for tasks created while serving a request before a worker exits, and this
        one runs until :meth:`close`.
        """
        if self._task is None and not self._closed:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="flagcore-usage-flush")

    def pending(self, organization_id: str, resource: Resource) -> dict[UsageKey, int]:
        """Units of the organization counted here and not flushed yet (the quota check adds them), by day."""
        held = {
            k: n
            for k, n in self._pending.items()
            if k.organization_id == organization_id and k.resource.value == resource.value
        }
        current = self._current.get(organization_id, 0) if resource.value == _FLAGS.value else 0
        if current:
            today = UsageKey(organization_id, resource, day_of(self._clock.now()))
            held[today] = held.get(today, 0) + current
        return held

    async def flush(self) -> None:
        """Send what is pending; on failure keep it for the next flush (bounded by ``pending_limit``)."""
        if self._current:
            day = day_of(self._clock.now())
            current, self._current = self._current, {}
            for organization_id, amount in current.items():
                self._pending[UsageKey(organization_id, _FLAGS, day)] += amount
        if not self._pending:
            return
        batch, self._pending = self._pending, defaultdict(int)
        units = sum(batch.values())
        self._pending_units -= units
        try:
            await self._counters.add(batch)
        except BackendUnavailableError as exc:
            self.store_ok = False
            self.flush_failures += 1
            for key, amount in batch.items():  # counted again with whatever arrived meanwhile
                self._pending[key] += amount
            self._pending_units += units
            self._shed()
            now = time.monotonic()
            if now - self._logged_at >= _LOG_EVERY_S:
                self._logged_at = now
                logger.warning("usage counters unavailable, holding %d units: %r", self._pending_units, exc.__cause__)
        else:
            if not self.store_ok:
                logger.info("usage counters available again")
            self.store_ok = True

    def _shed(self) -> None:
        for key in sorted(self._pending, key=lambda k: k.day):
            if self._pending_units <= self._pending_limit:
                return
            amount = self._pending.pop(key)
            self._pending_units -= amount
            self.dropped_units += amount

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._flush_s)
            try:
                await self.flush()
            except Exception:  # a bug must not stop counting for the life of the process
                logger.exception("usage flush failed")

    async def close(self) -> None:
        """Stop the background flush and send what is left (once; a failure is logged by ``flush``)."""
        self._closed = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self.flush()
