"""Rendering flags for the wire, with the users they reference looked up once per response."""

from __future__ import annotations

from collections.abc import Iterable

from flagcore.app.http.management.schemas import Flag, flag_to_wire
from flagcore.domain.flags import FeatureFlag
from flagcore.domain.identity import User
from flagcore.ports.identity import UserRepo


class FlagPresenter:
    def __init__(self, users: UserRepo) -> None:
        self._users = users

    async def one(self, flag: FeatureFlag) -> Flag:
        return (await self.many([flag]))[0]

    async def many(self, flags: Iterable[FeatureFlag]) -> list[Flag]:
        flags = list(flags)
        ids = {uid for f in flags for uid in (f.created_by_id, f.last_modified_by_id) if uid is not None}
        users: dict[int, User] = {}
        for uid in ids:  # a page of flags is usually written by a handful of people
            user = await self._users.get(uid)
            if user is not None:
                users[uid] = user
        return [flag_to_wire(flag, users) for flag in flags]
