"""What an operator can learn about this process's serving components, without credentials."""

from __future__ import annotations

from abc import abstractmethod
from typing import Protocol

import msgspec

from flagcore.ports.invalidations import ListenerStatus


class ProcessStatus(msgspec.Struct, frozen=True, kw_only=True):
    """Counters since this process started. Only tier names and numbers: nothing about tenants or secrets.

    Attributes:
        snapshot_tiers: per snapshot tier, in read order: hits, misses, failures, skipped, refills, refused,
            pending_invalidations.
        invalidations: the cross-instance invalidation listener, or None when no shared channel is configured.
        credentials_served_stale: credential lookups answered from the last known value during a store outage.
    """

    snapshot_tiers: dict[str, dict[str, int]]
    invalidations: ListenerStatus | None
    credentials_served_stale: int


class StatusProbe(Protocol):
    @abstractmethod
    def status(self) -> ProcessStatus:
        """This process's counters, read without I/O."""
        ...
