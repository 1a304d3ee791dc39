"""``RateLimiter`` over the ``limits`` library's moving window, and its in-process storage (per process)."""

from __future__ import annotations

import time

from limits import RateLimitItem, RateLimitItemPerSecond
from limits.aio.storage import MemoryStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError

from flagcore.domain.quota import Rate
from flagcore.ports.errors import BackendUnavailableError
from flagcore.ports.quota import RateLimiter


class LimitsRateLimiter(RateLimiter):
    """A moving window per (scope, key) in any ``limits`` async storage (built with ``wrap_exceptions=True``)."""

    def __init__(self, storage: Storage) -> None:
        self._strategy = MovingWindowRateLimiter(storage)
        self._items: dict[Rate, RateLimitItem] = {}

    def _item(self, rate: Rate) -> RateLimitItem:
        item = self._items.get(rate)
        if item is None:
            item = self._items[rate] = RateLimitItemPerSecond(rate.amount, rate.period_s, namespace="flagcore")
        return item

    async def hit(self, scope: str, key: str, rate: Rate) -> float | None:
        item = self._item(rate)
        try:
            if await self._strategy.hit(item, scope, key):
                return None
            stats = await self._strategy.get_window_stats(item, scope, key)
        except StorageError as exc:
            raise BackendUnavailableError("rate limit store unavailable") from exc
        return max(stats.reset_time - time.time(), 0.0)


class MemoryRateLimiter(LimitsRateLimiter):
    """Counts in this process only: with several instances, each enforces the rates on its own share."""

    def __init__(self) -> None:
        super().__init__(MemoryStorage(wrap_exceptions=True))
