"""Activity log entries: who changed what, when, with field-level before/after (PostHog's ``ActivityLog``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

import msgspec

ChangeAction = Literal["created", "changed", "deleted"]
Activity = Literal["created", "updated", "deleted", "restored"]


class FieldChange(msgspec.Struct, frozen=True, kw_only=True):
    """One changed field. ``action`` is ``created`` for None -> value, ``deleted`` for value -> None."""

    type: str
    action: ChangeAction
    field: str
    before: Any = None
    after: Any = None


class ActivityDetail(msgspec.Struct, frozen=True, kw_only=True):
    """PostHog's ``detail``: the item's display name and its field changes (empty for a create)."""

    name: str | None
    changes: tuple[FieldChange, ...] = ()
    short_id: str | None = None
    type: str | None = None
    #: What made the change when no person did it directly (a scheduled change, an approved request).
    trigger: dict[str, Any] | None = None


class ActivityEntry(msgspec.Struct, frozen=True, kw_only=True):
    """One entry of the activity log, written in the same transaction as the change it describes.

    Attributes:
        id: a UUID chosen by the caller.
        organization_id: the organization the item belongs to.
        project_id: the project, or None for organization-level items.
        user_id: who made the change; None for system changes.
        scope: the kind of item (``FeatureFlag``).
        item_id: the item's id as text.
        activity: ``created``, ``updated``, ``deleted`` or ``restored``.
        detail: the name and field changes.
        created_at: when the change was made.
    """

    id: str
    organization_id: str
    project_id: int | None
    user_id: int | None
    scope: str
    item_id: str
    activity: Activity
    detail: ActivityDetail
    created_at: datetime

    @property
    def is_system(self) -> bool:
        return self.user_id is None
