"""Storage of scheduled changes, and the claim that hands each due change to one runner at a time."""

from __future__ import annotations

import builtins
from abc import abstractmethod
from datetime import datetime
from typing import Protocol

import msgspec

from flagcore.domain.scheduled_changes import NewScheduledChange, ScheduledChange


class ScheduledChangeQuery(msgspec.Struct, frozen=True, kw_only=True):
    """A page of a project's scheduled changes, newest first; filters are exact matches."""

    model_name: str | None = None
    record_id: str | None = None
    limit: int = 100
    offset: int = 0


class ScheduledChangePage(msgspec.Struct, frozen=True, kw_only=True):
    count: int
    items: list[ScheduledChange]


class ScheduledChangeRepo(Protocol):
    @abstractmethod
    async def create(self, change: NewScheduledChange) -> ScheduledChange:
        """Store a new change and return it with its id (``updated_at`` = ``created_at``)."""
        ...

    @abstractmethod
    async def get(self, project_id: int, change_id: int) -> ScheduledChange | None:
        """The project's change; None if absent or another project's."""
        ...

    @abstractmethod
    async def lock(self, project_id: int, change_id: int) -> ScheduledChange | None:
        """As ``get``, and hold the change's row lock until the unit of work ends (waiting for a runner)."""
        ...

    @abstractmethod
    async def list(self, project_id: int, query: ScheduledChangeQuery) -> ScheduledChangePage:
        """A page of the project's changes, newest first, with the total count."""
        ...

    @abstractmethod
    async def save(self, change: ScheduledChange) -> ScheduledChange:
        """Replace the stored change's fields with ``change``'s (its project and id stay)."""
        ...

    @abstractmethod
    async def delete(self, project_id: int, change_id: int) -> bool:
        """Remove the project's change; False if there was none."""
        ...

    @abstractmethod
    async def claim_due(self, now: datetime, *, limit: int) -> builtins.list[ScheduledChange]:
        """Up to ``limit`` due changes of any project, oldest ``scheduled_at`` first, locked for this unit of work.

        Due: not executed, ``scheduled_at <= now``, not paused, and past any ``retry_after``. A change another unit
        of work holds is skipped, not waited for, so concurrent claimers (other instances) get disjoint changes;
        a claimed change is claimable again only once the claiming unit ends. Call it inside a unit of work.
        """
        ...
