"""Use case: a page of a project's flag activity (all flags, or one flag's), with the users who made the changes."""

from __future__ import annotations

import msgspec

from flagcore.domain.activity import ActivityEntry
from flagcore.domain.activity.flags import SCOPE
from flagcore.domain.flags import FlagNotFoundError
from flagcore.domain.identity import User
from flagcore.domain.ids import is_valid_id
from flagcore.ports.activity import ActivityLog, ActivityQuery
from flagcore.ports.flags import FlagRepo
from flagcore.ports.identity import UserRepo


class ActivityPageResult(msgspec.Struct, frozen=True, kw_only=True):
    total_count: int
    entries: list[ActivityEntry]
    users: dict[int, User]


class ListFlagActivity:
    """Newest first, ``limit`` entries of page ``page`` (1-based), as PostHog's activity pages count."""

    def __init__(self, activity: ActivityLog, flags: FlagRepo, users: UserRepo) -> None:
        self._activity = activity
        self._flags = flags
        self._users = users

    async def execute(self, project_id: int, *, flag_id: int | None, limit: int, page: int) -> ActivityPageResult:
        """The page.

        Raises:
            FlagNotFoundError: ``flag_id`` names no flag of this project (deleted flags have their history).
        """
        if flag_id is not None and (not is_valid_id(flag_id) or await self._flags.get(project_id, flag_id) is None):
            raise FlagNotFoundError(flag_id)
        query = ActivityQuery(
            project_id=project_id,
            scope=SCOPE,
            item_id=str(flag_id) if flag_id is not None else None,
            limit=limit,
            offset=(page - 1) * limit,
        )
        found = await self._activity.list(query)
        users: dict[int, User] = {}
        for user_id in {e.user_id for e in found.items if e.user_id is not None}:
            user = await self._users.get(user_id)
            if user is not None:
                users[user_id] = user
        return ActivityPageResult(total_count=found.total_count, entries=found.items, users=users)
