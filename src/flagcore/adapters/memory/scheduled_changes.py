"""In-memory ``ScheduledChangeRepo``. Units of work are serialised (see ``unit_of_work.py``): a claim is exclusive."""

from __future__ import annotations

import builtins
import itertools
from datetime import datetime

import msgspec

from flagcore.domain.scheduled_changes import NewScheduledChange, ScheduledChange, is_due
from flagcore.ports.scheduled_changes import ScheduledChangePage, ScheduledChangeQuery, ScheduledChangeRepo


class MemoryScheduledChangeRepo(ScheduledChangeRepo):
    def __init__(self) -> None:
        self._changes: dict[int, ScheduledChange] = {}
        self._next = itertools.count(1)

    def fork(self) -> MemoryScheduledChangeRepo:
        fork = MemoryScheduledChangeRepo()
        fork._changes = dict(self._changes)
        fork._next = self._next
        return fork

    def adopt(self, fork: MemoryScheduledChangeRepo) -> None:
        self._changes = fork._changes

    async def create(self, change: NewScheduledChange) -> ScheduledChange:
        created = ScheduledChange(id=next(self._next), updated_at=change.created_at, **msgspec.structs.asdict(change))
        self._changes[created.id] = created
        return created

    async def get(self, project_id: int, change_id: int) -> ScheduledChange | None:
        found = self._changes.get(change_id)
        return found if found is not None and found.project_id == project_id else None

    async def lock(self, project_id: int, change_id: int) -> ScheduledChange | None:
        return await self.get(project_id, change_id)  # units are serialised: the lock is held already

    async def list(self, project_id: int, query: ScheduledChangeQuery) -> ScheduledChangePage:
        matching = [
            c
            for c in sorted(self._changes.values(), key=lambda c: (c.created_at, c.id), reverse=True)
            if c.project_id == project_id
            and (query.model_name is None or c.model_name == query.model_name)
            and (query.record_id is None or c.record_id == query.record_id)
        ]
        return ScheduledChangePage(count=len(matching), items=matching[query.offset : query.offset + query.limit])

    async def save(self, change: ScheduledChange) -> ScheduledChange:
        current = self._changes[change.id]
        saved = msgspec.structs.replace(change, project_id=current.project_id)
        self._changes[change.id] = saved
        return saved

    async def delete(self, project_id: int, change_id: int) -> bool:
        if await self.get(project_id, change_id) is None:
            return False
        del self._changes[change_id]
        return True

    async def claim_due(self, now: datetime, *, limit: int) -> builtins.list[ScheduledChange]:
        due = sorted((c for c in self._changes.values() if is_due(c, now)), key=lambda c: (c.scheduled_at, c.id))
        return due[:limit]
