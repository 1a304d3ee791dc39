"""Storage of the activity log."""

from __future__ import annotations

from abc import abstractmethod
from typing import Protocol

import msgspec

from flagcore.domain.activity import ActivityEntry


class ActivityQuery(msgspec.Struct, frozen=True, kw_only=True):
    """Which entries to list: one project's, optionally one scope's and one item's, newest first, one page."""

    project_id: int
    scope: str | None = None
    item_id: str | None = None
    limit: int = 10
    offset: int = 0


class ActivityPage(msgspec.Struct, frozen=True, kw_only=True):
    total_count: int
    items: list[ActivityEntry]


class ActivityLog(Protocol):
    """Activity entries; written only through a unit of work, so an entry exists exactly when its change does."""

    @abstractmethod
    async def add(self, entry: ActivityEntry) -> None:
        """Store an entry (its ``id`` is unique; entries are never changed afterwards)."""
        ...

    @abstractmethod
    async def list(self, query: ActivityQuery) -> ActivityPage:
        """Entries matching ``query``, newest first (ties: the later-added first), with the total before paging."""
        ...
