"""The quota check of serving paths: whether an organization is limited, from process memory.

Each organization's status is computed at most once per ``check_s`` (PostHog caches its limited list for 30 s):
its limit from the limit store, its period's usage from the counter store plus what this process has not
flushed yet. Between refreshes a check is a dictionary lookup, so serving paths pay no round trip per request.
When a store fails, the last known status stands (an organization never seen is not limited): a counter store
outage never fails, or limits, a request.
"""

from __future__ import annotations

import asyncio
import time
from typing import Final, NamedTuple

from flagcore.app.quota.accounting import UsageAccounting
from flagcore.domain.quota import DailyUsage, QuotaLimit, QuotaStatus, Resource, billing_period, quota_status
from flagcore.ports.clock import Clock
from flagcore.ports.errors import BackendUnavailableError
from flagcore.ports.quota import QuotaLimitRepo, UsageCounters

_RESOURCE: Final = Resource.FEATURE_FLAG_REQUESTS


class _Known(NamedTuple):
    limited: bool
    checked_at: float


class QuotaGate:
    def __init__(
        self,
        limits: QuotaLimitRepo,
        counters: UsageCounters,
        accounting: UsageAccounting,
        clock: Clock,
        *,
        check_s: float,
    ) -> None:
        self._limits = limits
        self._counters = counters
        self._accounting = accounting
        self._clock = clock
        self._check_s = check_s
        self._known: dict[str, _Known] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self.check_failures = 0

    def cached(self, organization_id: str) -> bool | None:
        """The answer of :meth:`limited` while it is fresh, without a coroutine; None when it must be read."""
        known = self._known.get(organization_id)
        if known is not None and time.monotonic() - known.checked_at < self._check_s:
            return known.limited
        return None

    async def limited(self, organization_id: str) -> bool:
        """Whether the organization's feature flag requests are limited now (as of at most ``check_s`` ago)."""
        known = self._known.get(organization_id)
        if known is not None and time.monotonic() - known.checked_at < self._check_s:
            return known.limited
        lock = self._locks.setdefault(organization_id, asyncio.Lock())
        async with lock:  # one refresh per organization at a time; the others wait for its answer
            known = self._known.get(organization_id)
            if known is not None and time.monotonic() - known.checked_at < self._check_s:
                return known.limited
            try:
                limited = (await self.status(organization_id)).limited
            except BackendUnavailableError:
                self.check_failures += 1
                limited = known.limited if known is not None else False
            self._known[organization_id] = _Known(limited, time.monotonic())
            return limited

    async def status(self, organization_id: str) -> QuotaStatus:
        """The organization's status now, read from the stores (not cached).

        Raises:
            BackendUnavailableError: the limit or counter store failed.
        """
        quota = await self._limits.get(organization_id, _RESOURCE)
        return await self.status_for(organization_id, quota)

    async def status_for(self, organization_id: str, quota: QuotaLimit | None) -> QuotaStatus:
        """Like :meth:`status` with the limit already read."""
        now = self._clock.now()
        period = billing_period(now)
        usage = await self._counters.daily(organization_id, _RESOURCE, period.start.date(), period.end.date())
        days = dict(usage.days)
        for key, amount in self._accounting.pending(organization_id, _RESOURCE).items():
            days[key.day] = days.get(key.day, 0) + amount
        return quota_status(quota, DailyUsage(days=days), now)

    def forget(self, organization_id: str) -> None:
        """Drop the cached status (after this process changed the organization's limit)."""
        self._known.pop(organization_id, None)
