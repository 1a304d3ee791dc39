"""Activity entries of tenant changes (PostHog's scopes ``Organization``, ``Team``, ``OrganizationMembership``)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from flagcore.domain.activity import Activity, ActivityDetail, ActivityEntry, FieldChange
from flagcore.ports.unit_of_work import UnitOfWork


def field_changes(scope: str, before: dict[str, Any], after: dict[str, Any]) -> tuple[FieldChange, ...]:
    """PostHog's field-level changes between two flat views of an item (only fields that differ)."""
    return tuple(
        FieldChange(type=scope, action="changed", field=name, before=before.get(name), after=value)
        for name, value in after.items()
        if before.get(name) != value
    )


async def record(
    uow: UnitOfWork,
    *,
    scope: str,
    activity: Activity,
    organization_id: str,
    project_id: int | None,
    user_id: int,
    item_id: str,
    name: str | None,
    now: datetime,
    changes: tuple[FieldChange, ...] = (),
) -> None:
    """Write the entry in the unit's transaction: it exists if and only if the change commits."""
    await uow.record(
        ActivityEntry(
            id=str(uuid.uuid4()),
            organization_id=organization_id,
            project_id=project_id,
            user_id=user_id,
            scope=scope,
            item_id=item_id,
            activity=activity,
            detail=ActivityDetail(name=name, changes=changes),
            created_at=now,
        )
    )
