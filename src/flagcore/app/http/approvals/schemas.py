"""Wire shapes of change requests, approval policies and the approval gate's 409 (PostHog's serializers)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from flagcore.app.approvals.policies import PolicyView
from flagcore.app.approvals.views import ActionOutcome, ChangeRequestView
from flagcore.app.http.management.schemas import UserBasic
from flagcore.domain.approvals import ApprovalRequiredError
from flagcore.domain.approvals.lifecycle import caller_view
from flagcore.domain.approvals.validation import format_duration
from flagcore.domain.identity import User


class ApprovalOut(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    created_by: UserBasic | None
    decision: str
    reason: str
    created_at: datetime


class ChangeRequestOut(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    action_key: str
    action_version: int
    resource_type: str
    resource_id: str | None
    intent: dict[str, Any]
    intent_display: dict[str, Any]
    policy_snapshot: dict[str, Any]
    validation_status: str
    validation_errors: Any
    validated_at: datetime | None
    state: str
    created_by: UserBasic | None
    applied_by: UserBasic | None
    created_at: datetime
    updated_at: datetime
    expires_at: datetime
    applied_at: datetime | None
    apply_error: str
    result_data: dict[str, Any] | None
    approvals: list[ApprovalOut]
    can_approve: bool
    can_cancel: bool
    is_requester: bool
    user_decision: str | None


class ChangeRequestList(msgspec.Struct, frozen=True, kw_only=True):
    count: int
    next: str | None
    previous: str | None
    results: list[ChangeRequestOut]


class ActionOut(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    status: str
    message: str
    change_request: ChangeRequestOut
    result: dict[str, Any] | None = None


class ActionBody(msgspec.Struct, frozen=True, kw_only=True):
    """The body of approve, reject (``reason`` required) and cancel."""

    reason: str | None = None


class ApprovalRequiredOut(msgspec.Struct, frozen=True, kw_only=True):
    """The 409 a gated write answers (``code``: ``approval_required`` or ``change_request_pending``)."""

    code: str
    status: str
    detail: str
    message: str
    resource_type: str
    resource_id: str | None
    change_request_id: str
    change_request: ChangeRequestOut
    required_approvers: dict[str, Any]


class ApproverConfigOut(msgspec.Struct, frozen=True, kw_only=True):
    quorum: int
    users: list[int]
    roles: list[int]


class PolicyOut(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    action_key: str
    conditions: Any
    approver_config: ApproverConfigOut
    allow_self_approve: bool
    bypass_org_membership_levels: list[int]
    bypass_roles: list[int]
    expires_after: str
    enabled: bool
    organization_wide: bool
    created_by: UserBasic | None
    created_at: datetime
    updated_at: datetime


class PolicyBody(msgspec.Struct, frozen=True, kw_only=True):
    """The policy fields a create or update may send (for the API document; the handler checks the raw JSON)."""

    action_key: str | None = None
    conditions: Any = None
    approver_config: dict[str, Any] | None = None
    allow_self_approve: bool | None = None
    bypass_org_membership_levels: list[int] | None = None
    bypass_roles: list[int | str] | None = None
    expires_after: str | None = None
    enabled: bool | None = None
    organization_wide: bool | None = None


class PolicyList(msgspec.Struct, frozen=True, kw_only=True):
    count: int
    next: str | None
    previous: str | None
    results: list[PolicyOut]


def _basic(users: dict[int, User], user_id: int | None) -> UserBasic | None:
    user = users.get(user_id) if user_id is not None else None
    return UserBasic.of(user) if user is not None else None


def change_request_out(view: ChangeRequestView) -> ChangeRequestOut:
    r, users = view.request, view.users
    return ChangeRequestOut(
        id=r.id,
        action_key=r.action_key,
        action_version=r.action_version,
        resource_type=r.resource_type,
        resource_id=r.resource_id,
        intent=r.intent,
        intent_display=r.intent_display,
        policy_snapshot=r.policy_snapshot,
        validation_status=r.validation_status.value,
        validation_errors=r.validation_errors,
        validated_at=r.validated_at,
        state=r.state.value,
        created_by=_basic(users, r.created_by_id),
        applied_by=_basic(users, r.applied_by_id),
        created_at=r.created_at,
        updated_at=r.updated_at,
        expires_at=r.expires_at,
        applied_at=r.applied_at,
        apply_error=r.apply_error,
        result_data=r.result_data,
        approvals=[
            ApprovalOut(
                id=v.id,
                created_by=_basic(users, v.user_id),
                decision=v.decision,
                reason=v.reason,
                created_at=v.created_at,
            )
            for v in r.votes
        ],
        **caller_view(r, view.viewer),
    )


def action_out(outcome: ActionOutcome) -> ActionOut:
    return ActionOut(
        status=outcome.status,
        message=outcome.message,
        change_request=change_request_out(outcome.view),
        result=outcome.result,
    )


def approval_required_out(exc: ApprovalRequiredError) -> ApprovalRequiredOut:
    request = exc.change_request
    return ApprovalRequiredOut(
        code=exc.code,
        status=exc.code,
        detail=exc.detail,
        message=exc.detail,
        resource_type=request.resource_type,
        resource_id=request.resource_id,
        change_request_id=request.id,
        change_request=change_request_out(ChangeRequestView(request=request, users=exc.users, viewer=exc.viewer)),
        required_approvers=exc.required_approvers,
    )


def policy_out(view: PolicyView) -> PolicyOut:
    p = view.policy
    return PolicyOut(
        id=p.id,
        action_key=p.action_key,
        conditions=p.conditions,
        approver_config=ApproverConfigOut(
            quorum=p.approver_config.quorum, users=list(p.approver_config.users), roles=list(p.approver_config.roles)
        ),
        allow_self_approve=p.allow_self_approve,
        bypass_org_membership_levels=list(p.bypass_org_membership_levels),
        bypass_roles=list(p.bypass_roles),
        expires_after=format_duration(p.expires_after),
        enabled=p.enabled,
        organization_wide=p.project_id is None,
        created_by=UserBasic.of(view.created_by) if view.created_by is not None else None,
        created_at=p.created_at,
        updated_at=p.updated_at,
    )
