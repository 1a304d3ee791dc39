"""Evaluating policies for a write.

Lookup (project first, then organization), bypass, conditions, conflicts and the approver set.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import msgspec

from flagcore.domain.approvals.actions import DetectedAction
from flagcore.domain.approvals.conditions import conditions_match
from flagcore.domain.approvals.errors import PolicyConflictError
from flagcore.domain.approvals.model import ApprovalPolicy
from flagcore.domain.approvals.viewer import Actor

PENDING_MESSAGE: Final = "A change request has been created and is pending approval."
PENDING_FROM_OTHERS_MESSAGE: Final = "A change request has been created and is pending approval from others."
DUPLICATE_MESSAGE: Final = "A pending approval request already exists for this action"


class GateDecision(msgspec.Struct, frozen=True, kw_only=True):
    """The write needs approval under ``policy`` for ``action``; ``message`` is what the 409 says."""

    policy: ApprovalPolicy
    action: DetectedAction
    message: str


def policy_for(action_key: str, policies: Sequence[ApprovalPolicy], *, project_id: int) -> ApprovalPolicy | None:
    """The enabled policy of ``action_key``: the project's own first, else the organization's (no project)."""
    enabled = [p for p in policies if p.enabled and p.action_key == action_key]
    own = [p for p in enabled if p.project_id == project_id]
    if own:
        return own[0]
    organization = [p for p in enabled if p.project_id is None]
    return organization[0] if organization else None


def bypasses(policy: ApprovalPolicy, actor: Actor) -> bool:
    """Whether the actor's membership level lets them skip the policy."""
    if actor.level is None:
        return False
    return actor.level in policy.bypass_org_membership_levels or actor.level in policy.bypass_roles


def is_approver(snapshot: dict[str, Any], actor: Actor) -> bool:
    """Whether the actor is in the approver set of a policy snapshot (listed user, or holding a listed level).

    Only members approve: a listed user who has left the organization no longer does.
    """
    if actor.level is None:
        return False
    users, roles = snapshot.get("users") or [], snapshot.get("roles") or []
    if actor.user_id is not None and actor.user_id in users:
        return True
    return actor.level in roles


def evaluate_gate(
    actions: Sequence[DetectedAction], policies: Sequence[ApprovalPolicy], *, project_id: int, actor: Actor
) -> GateDecision | None:
    """The approval a write needs, or None when it may go ahead.

    Raises:
        PolicyConflictError: more than one policy requires approval for this write (one change per request).
    """
    required: list[tuple[ApprovalPolicy, DetectedAction]] = []
    for action in actions:
        policy = policy_for(action.key, policies, project_id=project_id)
        if policy is None or bypasses(policy, actor):
            continue
        if conditions_match(policy.conditions, action.gated_changes):
            required.append((policy, action))
    if not required:
        return None
    if len(required) > 1:
        raise PolicyConflictError([policy.id for policy, _ in required])
    policy, action = required[0]
    snapshot = policy_snapshot(policy)
    own = is_approver(snapshot, actor) and not policy.allow_self_approve
    return GateDecision(policy=policy, action=action, message=PENDING_FROM_OTHERS_MESSAGE if own else PENDING_MESSAGE)


def policy_snapshot(policy: ApprovalPolicy) -> dict[str, Any]:
    """What a change request keeps of its policy: later edits of the policy do not change who approves it."""
    return {
        "policy_id": policy.id,
        "quorum": policy.approver_config.quorum,
        "users": list(policy.approver_config.users),
        "roles": list(policy.approver_config.roles),
        "allow_self_approve": policy.allow_self_approve,
        "conditions": policy.conditions,
        "expires_after_s": int(policy.expires_after.total_seconds()),
    }


def required_approvers(policy: ApprovalPolicy) -> dict[str, Any]:
    return {
        "quorum": policy.approver_config.quorum,
        "users": list(policy.approver_config.users),
        "roles": list(policy.approver_config.roles),
    }
