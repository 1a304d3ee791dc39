"""Approval policies and change requests: what a policy gates and the state of one request (PostHog's approvals)."""

from __future__ import annotations

import enum
from datetime import datetime, timedelta
from typing import Any, Final, Literal

import msgspec

ActionKey = Literal["feature_flag.enable", "feature_flag.disable", "feature_flag.update"]
#: The gate walks the actions in this order (PostHog's ``approval_gate`` list on the flag update).
ACTION_KEYS: Final[tuple[ActionKey, ...]] = ("feature_flag.enable", "feature_flag.disable", "feature_flag.update")
RESOURCE_TYPE: Final = "feature_flag"
DEFAULT_EXPIRY: Final = timedelta(days=14)


class ChangeRequestState(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    APPLIED = "applied"
    REJECTED = "rejected"
    EXPIRED = "expired"
    FAILED = "failed"


#: States a request can still move out of; a duplicate of an open request is refused.
OPEN_STATES: Final = frozenset({ChangeRequestState.PENDING, ChangeRequestState.APPROVED})


class ValidationStatus(enum.StrEnum):
    VALID = "valid"
    INVALID = "invalid"
    EXPIRED = "expired"
    STALE = "stale"


Decision = Literal["approved", "rejected"]


class ApproverConfig(msgspec.Struct, frozen=True, kw_only=True):
    """Who approves: ``quorum`` approvals from ``users`` (user ids) or members holding one of ``roles``.

    flagcore has no PostHog roles: a role is an organization membership level (1 member, 8 admin, 15 owner).
    """

    quorum: int = 1
    users: tuple[int, ...] = ()
    roles: tuple[int, ...] = ()


class ApprovalPolicy(msgspec.Struct, frozen=True, kw_only=True):
    """A rule that some change (``action_key``) needs approval, in one project or (``project_id`` None) organization."""

    id: str
    organization_id: str
    project_id: int | None
    action_key: str
    conditions: Any = msgspec.field(default_factory=dict)
    approver_config: ApproverConfig = msgspec.field(default_factory=ApproverConfig)
    allow_self_approve: bool = False
    bypass_org_membership_levels: tuple[int, ...] = ()
    #: Membership levels that bypass, as ``roles`` above.
    bypass_roles: tuple[int, ...] = ()
    expires_after: timedelta = DEFAULT_EXPIRY
    enabled: bool = True
    created_by_id: int | None = None
    created_at: datetime
    updated_at: datetime


class Vote(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    user_id: int
    decision: Decision
    reason: str = ""
    created_at: datetime


class ChangeRequest(msgspec.Struct, frozen=True, kw_only=True):
    """A gated change waiting for (or past) its approvals. ``intent`` holds what is replayed when it is applied."""

    id: str
    organization_id: str
    project_id: int
    action_key: str
    action_version: int = 1
    resource_type: str = RESOURCE_TYPE
    resource_id: str | None
    intent: dict[str, Any]
    intent_display: dict[str, Any] = msgspec.field(default_factory=dict)
    policy_snapshot: dict[str, Any]
    validation_status: ValidationStatus = ValidationStatus.VALID
    validation_errors: Any = None
    validated_at: datetime | None = None
    state: ChangeRequestState = ChangeRequestState.PENDING
    created_by_id: int | None
    applied_by_id: int | None = None
    created_at: datetime
    updated_at: datetime
    expires_at: datetime
    applied_at: datetime | None = None
    apply_error: str = ""
    result_data: dict[str, Any] | None = None
    votes: tuple[Vote, ...] = ()

    @property
    def quorum(self) -> int:
        quorum = self.policy_snapshot.get("quorum", 1)
        return quorum if isinstance(quorum, int) and not isinstance(quorum, bool) and quorum >= 1 else 1

    @property
    def approvals(self) -> int:
        return sum(1 for vote in self.votes if vote.decision == "approved")

    @property
    def expected_version(self) -> int | None:
        version = self.intent.get("preconditions", {}).get("version")
        return version if isinstance(version, int) else None
