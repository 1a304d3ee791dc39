"""Activity entries for feature-flag writes, with PostHog's field-level diff rules (management spec §5.4)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from flagcore.domain.activity.model import Activity, ActivityDetail, ActivityEntry, ChangeAction, FieldChange
from flagcore.domain.flags.encryption import redacted
from flagcore.domain.flags.model import FeatureFlag
from flagcore.domain.flags.parsing import filters_as_served

SCOPE: Final = "FeatureFlag"
#: Fields compared, by their wire name. Audit fields (ids, timestamps, authors, project) are excluded, as PostHog
#: excludes them; ``version`` is compared, so every update records its version change.
_FIELDS: Final = (
    "key",
    "name",
    "filters",
    "active",
    "deleted",
    "version",
    "ensure_experience_continuity",
    "evaluation_runtime",
    "bucketing_identifier",
    "is_remote_configuration",
    "has_encrypted_payloads",
    "tags",
    "evaluation_tags",
)


def flag_activity(
    before: FeatureFlag | None,
    after: FeatureFlag,
    *,
    entry_id: str,
    organization_id: str,
    user_id: int | None,
    at: datetime,
) -> ActivityEntry | None:
    """The entry describing a flag write, or None for an update that changed nothing.

    A create has no changes; an update whose ``deleted`` went to true is ``deleted``, to false ``restored``.
    """
    changes = () if before is None else flag_changes(before, after)
    if before is not None and not changes:
        return None
    return ActivityEntry(
        id=entry_id,
        organization_id=organization_id,
        project_id=after.project_id,
        user_id=user_id,
        scope=SCOPE,
        item_id=str(after.id),
        activity=_activity(before, after),
        detail=ActivityDetail(name=after.key, changes=changes),
        created_at=at,
    )


def flag_changes(before: FeatureFlag, after: FeatureFlag) -> tuple[FieldChange, ...]:
    """The fields that differ between two versions of a flag, in a fixed order."""
    old, new = _comparable(before), _comparable(after)
    return tuple(
        FieldChange(type=SCOPE, action=_action(old[name], new[name]), field=name, before=old[name], after=new[name])
        for name in _FIELDS
        if old[name] != new[name]
    )


def _comparable(flag: FeatureFlag) -> dict[str, Any]:
    values = {name: getattr(flag, name) for name in _FIELDS if name != "filters"}
    # Never ciphertext in the log either: an encrypted flag's payloads appear redacted.
    values["filters"] = filters_as_served(redacted(flag.filters) if flag.has_encrypted_payloads else flag.filters)
    values["tags"] = list(flag.tags)
    values["evaluation_tags"] = list(flag.evaluation_tags)
    return values


def _action(before: object, after: object) -> ChangeAction:
    if before is None:
        return "created"
    if after is None:
        return "deleted"
    return "changed"


def _activity(before: FeatureFlag | None, after: FeatureFlag) -> Activity:
    if before is None:
        return "created"
    if after.deleted and not before.deleted:
        return "deleted"
    if before.deleted and not after.deleted:
        return "restored"
    return "updated"
