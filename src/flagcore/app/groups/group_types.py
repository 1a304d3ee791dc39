"""Use cases for a project's group types: list them, register one, rename one."""

from __future__ import annotations

import functools
from typing import Annotated

import msgspec

from flagcore.domain.errors import NotFoundError
from flagcore.domain.groups import MAX_GROUP_TYPES, GroupType, validate_group_type_name
from flagcore.ports.clock import Clock
from flagcore.ports.groups import GroupTypeRepo
from flagcore.ports.snapshots import ProjectSnapshots
from flagcore.ports.unit_of_work import UnitOfWorkFactory


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

    def __init__(self, transactions: UnitOfWorkFactory, snapshots: ProjectSnapshots, clock: Clock) -> None:
        self._transactions = transactions
        self._snapshots = snapshots
        self._clock = clock

    async def execute(self, project_id: int, group_type: str) -> GroupType:
        """The group type, with its index.

        Raises:
            InvalidInputError: a blank or too long name.
            GroupTypeLimitError: the project already has five group types.
        """
        name = validate_group_type_name(group_type)
        async with self._transactions.begin() as uow:
            await uow.lock_project(project_id)
            registered = await uow.group_types.ensure(project_id, name, created_at=self._clock.now())
            # The group type mapping is part of the snapshot.
            uow.after_commit(functools.partial(self._snapshots.invalidate, project_id))
            await uow.commit()
        return registered


class RenameGroupTypes:
    def __init__(self, transactions: UnitOfWorkFactory) -> None:
        self._transactions = transactions

    async def execute(self, project_id: int, changes: list[GroupTypeNames]) -> list[GroupType]:
        """Apply display-name changes, all or none; the whole list of the project's group types is returned.

        Raises:
            NotFoundError: a change names an index the project does not use (then no change is applied).
        """
        async with self._transactions.begin() as uow:
            for change in changes:
                updated = await uow.group_types.update_names(
                    project_id,
                    change.group_type_index,
                    name_singular=change.name_singular,
                    name_plural=change.name_plural,
                )
                if updated is None:  # leaving without a commit undoes the changes made so far
                    raise NotFoundError(f"Group type with index {change.group_type_index} does not exist.")
            renamed = await uow.group_types.list(project_id)
            await uow.commit()
        return renamed
