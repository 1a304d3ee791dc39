"""Use cases behind ``/api/projects/{id}/scheduled_changes/``: create, update, delete, read.

Writes lock only the change's row (never the project's): a runner holds a change's row, then its project's lock,
so taking them in the other order here could deadlock with it. An update or delete of a change being run waits for
the run, then sees its outcome ("already executed").
"""

from __future__ import annotations

from typing import Final

import msgspec

from flagcore.domain.flags import FeatureFlag
from flagcore.domain.ids import is_valid_id
from flagcore.domain.scheduled_changes import (
    InvalidScheduledChangeError,
    ScheduledChange,
    ScheduledChangeNotFoundError,
    ScheduleFields,
    new_change,
    updated_change,
)
from flagcore.ports.clock import Clock
from flagcore.ports.flags import FlagRepo
from flagcore.ports.scheduled_changes import ScheduledChangePage, ScheduledChangeQuery, ScheduledChangeRepo
from flagcore.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory

FLAG_NOT_FOUND: Final = "Feature flag not found"


async def target_flag(flags: FlagRepo, project_id: int, record_id: str) -> FeatureFlag:
    """The live flag a change targets.

    Raises:
        InvalidScheduledChangeError: "Feature flag not found" (unknown, non-numeric, deleted or another project's).
    """
    flag_id = int(record_id) if record_id.isdecimal() and record_id.isascii() else None
    flag = await flags.get(project_id, flag_id) if flag_id is not None and is_valid_id(flag_id) else None
    if flag is None or flag.deleted:
        raise InvalidScheduledChangeError(FLAG_NOT_FOUND, attr="record_id")
    return flag


class CreateScheduledChange:
    def __init__(self, transactions: UnitOfWorkFactory, clock: Clock) -> None:
        self._transactions = transactions
        self._clock = clock

    async def execute(self, project_id: int, user_id: int | None, fields: ScheduleFields) -> ScheduledChange:
        """Validate and store a change; its time zone is the project's, as it is now.

        Raises:
            InvalidScheduledChangeError: a broken rule, or the flag is not found.
        """
        async with self._transactions.begin() as uow:
            project = await uow.projects.get(project_id)
            timezone = project.timezone if project is not None else "UTC"
            change = new_change(
                fields, project_id=project_id, user_id=user_id, timezone=timezone, now=self._clock.now()
            )
            flag = await target_flag(uow.flags, project_id, change.record_id)
            # The canonical id is stored ("007" names flag 7), so filters by record_id find it.
            created = await uow.scheduled_changes.create(msgspec.structs.replace(change, record_id=str(flag.id)))
            await uow.commit()
        return created


class UpdateScheduledChange:
    def __init__(self, transactions: UnitOfWorkFactory, clock: Clock) -> None:
        self._transactions = transactions
        self._clock = clock

    async def execute(self, project_id: int, change_id: int, fields: ScheduleFields) -> ScheduledChange:
        """Apply the fields sent (PUT sends them all) to a change that has not run yet.

        Raises:
            ScheduledChangeNotFoundError: no such change in the project.
            InvalidScheduledChangeError: a broken rule, the change already ran, or its flag is gone.
        """
        async with self._transactions.begin() as uow:
            current = await _locked(uow, project_id, change_id)
            updated = updated_change(current, fields, now=self._clock.now())
            await target_flag(uow.flags, project_id, current.record_id)
            saved = await uow.scheduled_changes.save(updated)
            await uow.commit()
        return saved


class DeleteScheduledChange:
    def __init__(self, transactions: UnitOfWorkFactory) -> None:
        self._transactions = transactions

    async def execute(self, project_id: int, change_id: int) -> None:
        """Remove a change (waiting for a run of it to end).

        Raises:
            ScheduledChangeNotFoundError: no such change in the project.
        """
        async with self._transactions.begin() as uow:
            await _locked(uow, project_id, change_id)
            await uow.scheduled_changes.delete(project_id, change_id)
            await uow.commit()


class GetScheduledChange:
    def __init__(self, changes: ScheduledChangeRepo) -> None:
        self._changes = changes

    async def execute(self, project_id: int, change_id: int) -> ScheduledChange:
        """The change.

        Raises:
            ScheduledChangeNotFoundError: no such change in the project.
        """
        found = await self._changes.get(project_id, change_id) if is_valid_id(change_id) else None
        if found is None:
            raise ScheduledChangeNotFoundError
        return found


class ListScheduledChanges:
    def __init__(self, changes: ScheduledChangeRepo) -> None:
        self._changes = changes

    async def execute(self, project_id: int, query: ScheduledChangeQuery) -> ScheduledChangePage:
        """A page of the project's changes, newest first."""
        return await self._changes.list(project_id, query)


async def _locked(uow: UnitOfWork, project_id: int, change_id: int) -> ScheduledChange:
    found = await uow.scheduled_changes.lock(project_id, change_id) if is_valid_id(change_id) else None
    if found is None:
        raise ScheduledChangeNotFoundError
    return found
