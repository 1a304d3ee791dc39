"""Use cases for a project's group types: list them, register one, rename one."""

from __future__ import annotations

from typing import Annotated

import msgspec

from flagcore.domain.errors import NotFoundError
from flagcore.domain.groups import MAX_GROUP_TYPES, GroupType, validate_group_type_name
from flagcore.ports.clock import Clock
from flagcore.ports.groups import GroupTypeRepo
from flagcore.ports.snapshots import ProjectSnapshots


class GroupTypeNames(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    group_type_index: Annotated[int, msgspec.Meta(ge=0, le=MAX_GROUP_TYPES - 1)]
    name_singular: str | None = None
    name_plural: str | None = None


class ListGroupTypes:
    def __init__(self, group_types: GroupTypeRepo) -> None:
        self._group_types = group_types

    async def execute(self, project_id: int) -> list[GroupType]:
        """The project's group types ordered by index."""
        return await self._group_types.list(project_id)


class RegisterGroupType:
    """Create a group type if missing (idempotent).

    PostHog creates group types when it ingests the first event of a group; until flagcore ingests events, this is
    how a project declares the group types its group flags aggregate by.
    """

    def __init__(self, group_types: GroupTypeRepo, snapshots: ProjectSnapshots, clock: Clock) -> None:
        self._group_types = group_types
        self._snapshots = snapshots
        self._clock = clock

    async def execute(self, project_id: int, group_type: str) -> GroupType:
        """The group type, with its index.

        Raises:
            InvalidInputError: a blank or too long name.
            GroupTypeLimitError: the project already has five group types.
        """
        name = validate_group_type_name(group_type)
        registered = await self._group_types.ensure(project_id, name, created_at=self._clock.now())
        await self._snapshots.invalidate(project_id)  # the group type mapping is part of the snapshot
        return registered


class RenameGroupTypes:
    def __init__(self, group_types: GroupTypeRepo) -> None:
        self._group_types = group_types

    async def execute(self, project_id: int, changes: list[GroupTypeNames]) -> list[GroupType]:
        """Apply display-name changes; the whole list of the project's group types is returned.

        Raises:
            NotFoundError: a change names an index the project does not use (then no change is applied).
        """
        # Checked before writing anything, so a bad entry does not leave the batch half applied.
        existing = {t.group_type_index for t in await self._group_types.list(project_id)}
        missing = [c.group_type_index for c in changes if c.group_type_index not in existing]
        if missing:
            raise NotFoundError(f"Group type with index {missing[0]} does not exist.")
        for change in changes:
            updated = await self._group_types.update_names(
                project_id, change.group_type_index, name_singular=change.name_singular, name_plural=change.name_plural
            )
            if updated is None:
                raise NotFoundError(f"Group type with index {change.group_type_index} does not exist.")
        return await self._group_types.list(project_id)
