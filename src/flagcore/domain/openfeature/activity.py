"""Activity entries of manifest writes: the flag's own field changes plus its OpenFeature declaration's."""

from __future__ import annotations

from datetime import datetime

import msgspec

from flagcore.domain.activity import ActivityEntry, flag_activity
from flagcore.domain.activity.model import ActivityDetail, ChangeAction, FieldChange
from flagcore.domain.flags import FeatureFlag
from flagcore.domain.openfeature.model import FlagDeclaration

_SCOPE = "FeatureFlag"


def manifest_activity(
    before: FeatureFlag | None,
    after: FeatureFlag,
    before_declaration: FlagDeclaration | None,
    after_declaration: FlagDeclaration,
    *,
    entry_id: str,
    organization_id: str,
    user_id: int | None,
    at: datetime,
) -> ActivityEntry | None:
    """The entry of a manifest write, or None when neither the flag nor its declaration changed."""
    entry = flag_activity(before, after, entry_id=entry_id, organization_id=organization_id, user_id=user_id, at=at)
    if before is None:
        return entry
    extra = _declaration_changes(before_declaration, after_declaration)
    if not extra:
        return entry
    if entry is None:
        return ActivityEntry(
            id=entry_id,
            organization_id=organization_id,
            project_id=after.project_id,
            user_id=user_id,
            scope=_SCOPE,
            item_id=str(after.id),
            activity="updated",
            detail=ActivityDetail(name=after.key, changes=extra),
            created_at=at,
        )
    detail = msgspec.structs.replace(entry.detail, changes=(*entry.detail.changes, *extra))
    return msgspec.structs.replace(entry, detail=detail)


def _declaration_changes(before: FlagDeclaration | None, after: FlagDeclaration) -> tuple[FieldChange, ...]:
    changes: list[FieldChange] = []
    for field, old, new in (
        ("openfeature_type", before.flag_type if before else None, after.flag_type),
        ("openfeature_default_value", before.default_value if before else None, after.default_value),
    ):
        if before is None or msgspec.json.encode(old) != msgspec.json.encode(new):
            action: ChangeAction = "created" if before is None else "changed"
            changes.append(FieldChange(type=_SCOPE, action=action, field=field, before=old, after=new))
    return tuple(changes)
