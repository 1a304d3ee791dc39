"""Storage of a project's group types."""

from __future__ import annotations

from abc import abstractmethod
from datetime import datetime
from typing import Protocol

from flagcore.domain.groups import GroupType


class GroupTypeRepo(Protocol):
    @abstractmethod
    async def list(self, project_id: int) -> list[GroupType]:
        """The project's group types ordered by index."""
        ...

    @abstractmethod
    async def ensure(self, project_id: int, group_type: str, *, created_at: datetime) -> GroupType:
        """The group type with this name, created with the lowest free index if missing (idempotent).

        Concurrent calls for the same name return the same group type; for different names they get different
        indexes.

        Raises:
            GroupTypeLimitError: the project already has ``MAX_GROUP_TYPES`` other group types.
        """
        ...

    @abstractmethod
    async def update_names(
        self, project_id: int, group_type_index: int, *, name_singular: str | None, name_plural: str | None
    ) -> GroupType | None:
        """Set the display names of one group type; None if the project has no group type at that index."""
        ...
