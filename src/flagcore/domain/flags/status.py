"""How rolled out a flag is, and its status (management spec §6.1): ACTIVE, INACTIVE, STALE, DELETED or UNKNOWN.

INACTIVE comes from usage (``last_called_at``, counted from ``$feature_flag_called`` events, see ``usage.py``): an
enabled flag not called for more than :data:`STALE_AFTER`, or never called and older than that. It takes precedence
over STALE, PostHog's configuration rule (fully rolled out and older than :data:`STALE_AFTER`). A disabled flag is
not judged by usage: nobody is expected to call it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final, Literal

import msgspec

from flagcore.domain.flags.model import ConditionGroup, FeatureFlag, Filters

STALE_AFTER: Final = timedelta(days=30)

RolloutState = Literal["fully_rolled_out", "not_rolled_out", "partial"]


class FlagStatus(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"
    STALE = "stale"
    DELETED = "deleted"
    UNKNOWN = "unknown"


class StatusReport(msgspec.Struct, frozen=True, kw_only=True):
    status: FlagStatus
    reason: str


def _everyone(group: ConditionGroup) -> bool:
    return not group.properties and group.rollout_percentage == 100  # noqa: PLR2004 - a percentage


def always_served_variant(filters: Filters) -> str | None:
    """The variant a multivariate flag serves to everyone, or None if it does not serve one variant to all.

    A condition for everyone at 100% that pins a variant serves that variant; one that does not pin serves the
    variant rolled out at 100%, if any.
    """
    variants = filters.multivariate.variants if filters.multivariate else []
    if not variants:
        return None
    for group in filters.groups:
        if not _everyone(group):
            continue
        if group.variant is not None:
            return group.variant
        full = next((v.key for v in variants if v.rollout_percentage == 100), None)  # noqa: PLR2004
        if full is not None:
            return full
    return None


def is_fully_rolled_out(filters: Filters) -> bool:
    """Whether the filters give everyone the same answer: no conditions, or one for everyone at 100%."""
    if not filters.groups and not filters.variant_keys:
        return True
    if filters.variant_keys:
        return always_served_variant(filters) is not None
    return any(_everyone(group) for group in filters.groups)


def rollout_state(flag: FeatureFlag) -> tuple[RolloutState, str | None]:
    """``fully_rolled_out`` / ``not_rolled_out`` / ``partial``, and the variant everyone gets (bulk delete report)."""
    if flag.active and is_fully_rolled_out(flag.filters):
        return "fully_rolled_out", always_served_variant(flag.filters)
    if not flag.active or all(group.rollout_percentage == 0 for group in flag.filters.groups):
        return "not_rolled_out", None
    return "partial", None


def _not_called_for(flag: FeatureFlag, last_called_at: datetime | None, now: datetime) -> timedelta | None:
    """How long an enabled flag has gone uncalled, if longer than :data:`STALE_AFTER`."""
    if not flag.active:
        return None
    since = last_called_at if last_called_at is not None else flag.created_at
    idle = now - since
    return idle if idle > STALE_AFTER else None


def flag_status(flag: FeatureFlag | None, *, now: datetime, last_called_at: datetime | None = None) -> StatusReport:
    """The flag's status with PostHog's reason texts; ``last_called_at`` is the flag's latest recorded call."""
    if flag is None:
        return StatusReport(status=FlagStatus.UNKNOWN, reason="Flag could not be found")
    if flag.deleted:
        return StatusReport(status=FlagStatus.DELETED, reason="Flag has been deleted")
    idle = _not_called_for(flag, last_called_at, now)
    if idle is not None:
        return StatusReport(status=FlagStatus.INACTIVE, reason=f"Flag has not been called in {idle.days} days")
    if flag.active and is_fully_rolled_out(flag.filters) and flag.created_at < now - STALE_AFTER:
        variant = always_served_variant(flag.filters)
        reason = (
            f'This flag will always use the variant "{variant}"'
            if variant is not None
            else 'This boolean flag will always evaluate to "true"'
        )
        return StatusReport(status=FlagStatus.STALE, reason=reason)
    return StatusReport(status=FlagStatus.ACTIVE, reason="Flag is not fully rolled out and may still be active")
