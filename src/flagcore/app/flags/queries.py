"""Use cases that read flags: get one, list a page."""

from __future__ import annotations

from flagcore.app.flags.actions import with_stale_cutoff
from flagcore.domain.flags import FeatureFlag, FlagNotFoundError
from flagcore.domain.ids import is_valid_id
from flagcore.ports.clock import Clock
from flagcore.ports.flags import FlagPage, FlagQuery, FlagRepo


class GetFlag:
    """Fetch one flag of a project (deleted ones too, so they can be restored)."""

    def __init__(self, flags: FlagRepo) -> None:
        self._flags = flags

    async def execute(self, project_id: int, flag_id: int) -> FeatureFlag:
        """The flag.

        Raises:
            FlagNotFoundError: no such flag in this project.
        """
        # An id no row can have (a path may carry any integer) is simply not found, not sent to the database.
        flag = await self._flags.get(project_id, flag_id) if is_valid_id(flag_id) else None
        if flag is None:
            raise FlagNotFoundError(flag_id)
        return flag


class ListFlags:
    """A page of a project's non-deleted flags."""

    def __init__(self, flags: FlagRepo, clock: Clock) -> None:
        self._flags = flags
        self._clock = clock

    async def execute(self, project_id: int, query: FlagQuery) -> FlagPage:
        """Flags matching ``query`` with the total count; a stale filter is taken relative to now."""
        return await self._flags.list(project_id, with_stale_cutoff(query, self._clock))
