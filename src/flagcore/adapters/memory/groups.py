"""In-memory ``GroupTypeRepo``."""

from __future__ import annotations

import asyncio
from datetime import datetime

import msgspec

from flagcore.domain.groups import GroupType, next_group_type_index
from flagcore.ports.groups import GroupTypeRepo


class MemoryGroupTypeRepo(GroupTypeRepo):
    def __init__(self) -> None:
        self._types: dict[tuple[int, int], GroupType] = {}
        self._lock = asyncio.Lock()

    def fork(self) -> MemoryGroupTypeRepo:
        fork = MemoryGroupTypeRepo()
        fork._types = dict(self._types)
        return fork

    def adopt(self, fork: MemoryGroupTypeRepo) -> None:
        self._types = fork._types

    async def list(self, project_id: int) -> list[GroupType]:
        return sorted((t for (p, _), t in self._types.items() if p == project_id), key=lambda t: t.group_type_index)

    async def ensure(self, project_id: int, group_type: str, *, created_at: datetime) -> GroupType:
        async with self._lock:
            existing = await self.list(project_id)
            for found in existing:
                if found.group_type == group_type:
                    return found
            free = next_group_type_index({t.group_type_index for t in existing})
            created = GroupType(
                project_id=project_id, group_type=group_type, group_type_index=free, created_at=created_at
            )
            self._types[project_id, free] = created
            return created

    async def update_names(
        self, project_id: int, group_type_index: int, *, name_singular: str | None, name_plural: str | None
    ) -> GroupType | None:
        current = self._types.get((project_id, group_type_index))
        if current is None:
            return None
        updated = msgspec.structs.replace(current, name_singular=name_singular, name_plural=name_plural)
        self._types[project_id, group_type_index] = updated
        return updated
