"""Approvals: policies that gate flag changes, and the change requests standing for gated writes."""

from __future__ import annotations

from flagcore.domain.approvals.actions import DetectedAction, detect_actions, rollout_changes
from flagcore.domain.approvals.conditions import condition_matches, conditions_match
from flagcore.domain.approvals.errors import (
    ApprovalPolicyNotFoundError,
    ApprovalRequiredError,
    ChangeRequestActionError,
    ChangeRequestForbiddenError,
    ChangeRequestNotFoundError,
    DuplicatePolicyError,
    PolicyConflictError,
)
from flagcore.domain.approvals.model import (
    ACTION_KEYS,
    DEFAULT_EXPIRY,
    OPEN_STATES,
    RESOURCE_TYPE,
    ActionKey,
    ApprovalPolicy,
    ApproverConfig,
    ChangeRequest,
    ChangeRequestState,
    Decision,
    ValidationStatus,
    Vote,
)
from flagcore.domain.approvals.policy import (
    DUPLICATE_MESSAGE,
    GateDecision,
    bypasses,
    evaluate_gate,
    is_approver,
    policy_for,
    policy_snapshot,
    required_approvers,
)
from flagcore.domain.approvals.viewer import Actor

__all__ = (
    "ACTION_KEYS",
    "DEFAULT_EXPIRY",
    "DUPLICATE_MESSAGE",
    "OPEN_STATES",
    "RESOURCE_TYPE",
    "ActionKey",
    "Actor",
    "ApprovalPolicy",
    "ApprovalPolicyNotFoundError",
    "ApprovalRequiredError",
    "ApproverConfig",
    "ChangeRequest",
    "ChangeRequestActionError",
    "ChangeRequestForbiddenError",
    "ChangeRequestNotFoundError",
    "ChangeRequestState",
    "Decision",
    "DetectedAction",
    "DuplicatePolicyError",
    "GateDecision",
    "PolicyConflictError",
    "ValidationStatus",
    "Vote",
    "bypasses",
    "condition_matches",
    "conditions_match",
    "detect_actions",
    "evaluate_gate",
    "is_approver",
    "policy_for",
    "policy_snapshot",
    "required_approvers",
    "rollout_changes",
)
