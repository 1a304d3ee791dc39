"""The activity log: entries describing every change, written in the same transaction as the change."""

from flagcore.domain.activity.flags import flag_activity, flag_changes
from flagcore.domain.activity.model import Activity, ActivityDetail, ActivityEntry, ChangeAction, FieldChange

__all__ = (
    "Activity",
    "ActivityDetail",
    "ActivityEntry",
    "ChangeAction",
    "FieldChange",
    "flag_activity",
    "flag_changes",
)
