"""Which gated actions a flag write is: enable, disable, or a rollout change.

PostHog's ``posthog/approvals/actions/feature_flags.py``.
"""

from __future__ import annotations

from typing import Any

import msgspec

from flagcore.domain.approvals.model import ActionKey
from flagcore.domain.flags import FeatureFlag, Filters


class DetectedAction(msgspec.Struct, frozen=True, kw_only=True):
    """One action a write performs, with the changes a policy's conditions are tested on.

    ``gated_changes`` maps a field to its changes: ``{"active": [{"path": "active", "before": b, "after": a}]}``
    or ``{"rollout_percentage": [{"path": "groups[0]", "before": 50, "after": 80}, ...]}``.
    """

    key: ActionKey
    gated_changes: dict[str, list[dict[str, Any]]]


def detect_actions(before: FeatureFlag, after: FeatureFlag, *, sent: frozenset[str]) -> list[DetectedAction]:
    """The gated actions of a write turning ``before`` into ``after``, in the gate's order.

    ``sent`` names the fields the request carried (``active``, ``filters``, ``deleted``...). A soft delete of an
    active flag stops it serving, so flagcore gates it as ``feature_flag.disable`` (PostHog does not gate deletes;
    flagcore's bulk delete would otherwise bypass every disable policy), and restoring one puts it back into service:
    ``feature_flag.enable``.
    """
    found: list[DetectedAction] = []
    was_serving = before.active and not before.deleted
    serving = after.active and not after.deleted
    active_change = {"active": [{"path": "active", "before": before.active, "after": after.active}]}
    if "active" in sent and after.active and not before.active:
        found.append(DetectedAction(key="feature_flag.enable", gated_changes=active_change))
    elif "deleted" in sent and serving and not was_serving:  # a restore puts an active flag back into service
        restored = {"deleted": [{"path": "deleted", "before": True, "after": False}]}
        found.append(DetectedAction(key="feature_flag.enable", gated_changes=restored))
    if ("active" in sent or "deleted" in sent) and was_serving and not serving:
        changes = (
            active_change if not after.active else {"deleted": [{"path": "deleted", "before": False, "after": True}]}
        )
        found.append(DetectedAction(key="feature_flag.disable", gated_changes=changes))
    if "filters" in sent:
        rollout = rollout_changes(before.filters, after.filters)
        if rollout:
            found.append(DetectedAction(key="feature_flag.update", gated_changes={"rollout_percentage": rollout}))
    return found


def rollout_changes(before: Filters, after: Filters) -> list[dict[str, Any]]:
    """Every path whose rollout percentage differs. None means 100; an added or removed group serves nobody (0)."""
    old, new = _rollouts(before), _rollouts(after)
    changes = []
    for path in dict.fromkeys([*old, *new]):
        was, now = old.get(path, 0), new.get(path, 0)
        if _percent(was) != _percent(now):
            changes.append({"path": path, "before": was, "after": now})
    return changes


def _percent(value: float | None) -> float | None:
    return 100 if value is None else value


def _rollouts(filters: Filters) -> dict[str, float | None]:
    paths: dict[str, float | None] = {f"groups[{i}]": g.rollout_percentage for i, g in enumerate(filters.groups)}
    paths.update({f"super_groups[{i}]": g.rollout_percentage for i, g in enumerate(filters.super_groups or [])})
    if filters.holdout is not None:
        paths["holdout_groups[0]"] = filters.holdout.exclusion_percentage
    if filters.multivariate is not None:
        paths.update(
            {f"multivariate.variants[{i}]": v.rollout_percentage for i, v in enumerate(filters.multivariate.variants)}
        )
    return paths
