"""Wire schemas of the flag custom actions (status, dependents, bulk keys and deletes, matching ids, activity)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from flagcore.domain.activity import ActivityDetail, ActivityEntry
from flagcore.domain.identity import User

UNSET = msgspec.UNSET
Unset = msgspec.UnsetType


class FlagStatusBody(msgspec.Struct, frozen=True, kw_only=True):
    status: str
    reason: str


class BulkKeysRequest(msgspec.Struct, frozen=True, kw_only=True):
    ids: list[Any] | None = None


class BulkKeysBody(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    keys: dict[str, str]
    warning: str | None = None


class MatchingIdsBody(msgspec.Struct, frozen=True, kw_only=True):
    ids: list[int]
    total: int


class BulkDeleteRequest(msgspec.Struct, frozen=True, kw_only=True):
    """Exactly one of ``filters`` (the listing's filter parameters) or ``ids``."""

    filters: dict[str, Any] | None | Unset = UNSET
    ids: list[Any] | None | Unset = UNSET


class ActivityUser(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    first_name: str
    email: str | None
    is_system: bool = False


SYSTEM_USER = ActivityUser(first_name="System", email=None, is_system=True)


class ActivityItem(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    user: ActivityUser
    activity: str
    scope: str
    item_id: str
    detail: ActivityDetail
    created_at: datetime

    @classmethod
    def of(cls, entry: ActivityEntry, users: dict[int, User]) -> ActivityItem:
        user = users.get(entry.user_id) if entry.user_id is not None else None
        who = SYSTEM_USER
        if user is not None:
            who = ActivityUser(first_name=user.first_name, email=user.email)
        elif entry.user_id is not None:  # a user since removed: still not the system
            who = ActivityUser(first_name="", email=None)
        return cls(
            id=entry.id,
            user=who,
            activity=entry.activity,
            scope=entry.scope,
            item_id=entry.item_id,
            detail=entry.detail,
            created_at=entry.created_at,
        )


class ActivityList(msgspec.Struct, frozen=True, kw_only=True):
    results: list[ActivityItem]
    next: str | None
    previous: str | None
    total_count: int
