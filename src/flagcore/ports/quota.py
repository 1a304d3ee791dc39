"""Quota storage: the limits operators set, and the usage counters every instance adds to."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping
from datetime import date
from typing import Protocol

from flagcore.domain.quota import DailyUsage, QuotaLimit, Rate, Resource, UsageKey


class QuotaLimitRepo(Protocol):
    """Per-organization limits (durable: they live with the organizations)."""

    @abstractmethod
    async def get(self, organization_id: str, resource: Resource) -> QuotaLimit | None:
        """The organization's limit on ``resource``, or None when none was ever set.

        Raises:
            BackendUnavailableError: the store cannot be reached.
        """
        ...

    @abstractmethod
    async def put(self, quota: QuotaLimit) -> None:
        """Store the limit, replacing the organization's previous one on the same resource (one atomic write).

        Raises:
            BackendUnavailableError: the store cannot be reached; nothing was written.
        """
        ...


class UsageCounters(Protocol):
    """Units used per organization, resource and UTC day, shared by every instance that adds to them.

    Callers add in batches (the app sums requests in process and flushes every second or so), so an adapter is
    never asked for one write per request.
    """

    @abstractmethod
    async def add(self, increments: Mapping[UsageKey, int]) -> None:
        """Add each amount to its counter. Increments from concurrent callers never lose each other.

        Raises:
            BackendUnavailableError: the store cannot be reached; the caller may retry the same batch (an adapter
                that cannot tell whether a failed batch was applied says so in its docstring).
        """
        ...

    @abstractmethod
    async def daily(self, organization_id: str, resource: Resource, start: date, end: date) -> DailyUsage:
        """The counters of days ``start <= day < end`` (days never added to are absent).

        Raises:
            BackendUnavailableError: the store cannot be reached.
        """
        ...


class RateLimiter(Protocol):
    """Moving-window request counting, shared by every instance when the adapter's store is."""

    @abstractmethod
    async def hit(self, scope: str, key: str, rate: Rate) -> float | None:
        """Count one request of ``key`` in ``scope`` against ``rate``.

        Returns:
            None when admitted (and counted); else the seconds until a request would be admitted (not counted).

        Raises:
            BackendUnavailableError: the store cannot be reached (the caller decides whether to admit).
        """
        ...
