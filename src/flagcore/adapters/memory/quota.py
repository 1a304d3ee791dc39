"""In-memory quota limits and usage counters (one process; dev runs, tests and the contract reference)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import date

from flagcore.domain.quota import DailyUsage, QuotaLimit, Resource, UsageKey
from flagcore.ports.quota import QuotaLimitRepo, UsageCounters


class MemoryQuotaLimitRepo(QuotaLimitRepo):
    def __init__(self) -> None:
        self._limits: dict[tuple[str, Resource], QuotaLimit] = {}

    def fork(self) -> MemoryQuotaLimitRepo:
        fork = MemoryQuotaLimitRepo()
        fork._limits = dict(self._limits)
        return fork

    def adopt(self, fork: MemoryQuotaLimitRepo) -> None:
        self._limits = fork._limits

    async def get(self, organization_id: str, resource: Resource) -> QuotaLimit | None:
        return self._limits.get((organization_id, resource))

    async def put(self, quota: QuotaLimit) -> None:
        self._limits[quota.organization_id, quota.resource] = quota


class MemoryUsageCounters(UsageCounters):
    def __init__(self) -> None:
        self._counts: defaultdict[UsageKey, int] = defaultdict(int)

    async def add(self, increments: Mapping[UsageKey, int]) -> None:
        for key, amount in increments.items():  # no await inside: atomic within the event loop
            if amount:
                self._counts[key] += amount

    async def daily(self, organization_id: str, resource: Resource, start: date, end: date) -> DailyUsage:
        return DailyUsage(
            days={
                key.day: amount
                for key, amount in self._counts.items()
                if key.organization_id == organization_id
                and key.resource.value == resource.value
                and start <= key.day < end
            }
        )
