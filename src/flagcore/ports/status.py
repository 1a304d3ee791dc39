"""What an operator can learn about this process's serving components, without credentials."""

from __future__ import annotations

from abc import abstractmethod
from typing import Protocol

import msgspec

from flagcore.ports.invalidations import ListenerStatus


class UsageStatus(msgspec.Struct, frozen=True, kw_only=True):
    """Quota accounting and rate limiting of this process (numbers only).

    Attributes:
        counter_store: where usage is counted (``redis``, ``db`` or ``memory``).
        counter_store_ok: the last flush to the counter store succeeded (false: usage is held in process, or lost
            past ``pending_limit``).
        pending_units: units counted here and not yet flushed.
        flush_failures: flushes that failed since start.
        dropped_units: units given up on (the store stayed down longer than this process would hold them).
        check_failures: quota checks answered from the last known state because a store failed.
        rate_limit_failures: requests admitted without being counted because the rate limit store failed.
    """

    counter_store: str
    counter_store_ok: bool
    pending_units: int
    flush_failures: int
    dropped_units: int
    check_failures: int
    rate_limit_failures: int


class ProcessStatus(msgspec.Struct, frozen=True, kw_only=True):
    """Counters since this process started. Only tier names and numbers: nothing about tenants or secrets.

    Attributes:
        snapshot_tiers: per snapshot tier, in read order: hits, misses, failures, skipped, refills, refused,
            pending_invalidations.
        invalidations: the cross-instance invalidation listener, or None when no shared channel is configured.
        credentials_served_stale: credential lookups answered from the last known value during a store outage.
        usage: quota accounting and rate limiting; None when both are off.
    """

    snapshot_tiers: dict[str, dict[str, int]]
    invalidations: ListenerStatus | None
    credentials_served_stale: int
    usage: UsageStatus | None = None


class StatusProbe(Protocol):
    @abstractmethod
    def status(self) -> ProcessStatus:
        """This process's counters, read without I/O."""
        ...
