"""Use cases: approval policies CRUD. Reads need a member; writes need an organization admin.

A policy belongs to the project of the URL, or with ``organization_wide`` to its whole organization. Writes take
the organization's write lock so that the one-policy-per-action rule holds under concurrent writers.
"""

from __future__ import annotations

import uuid
from typing import Any

import msgspec

from flagcore.domain.approvals import ApprovalPolicy, ApprovalPolicyNotFoundError
from flagcore.domain.approvals.validation import (
    check_action_key,
    check_conditions,
    parse_approver_config,
    parse_bypass_levels,
    parse_duration,
    parse_levels,
)
from flagcore.domain.errors import ForbiddenError, InvalidInputError
from flagcore.domain.identity import Membership, MembershipLevel, Project, ProjectNotFoundError, User
from flagcore.ports.clock import Clock
from flagcore.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory

ADMIN_REQUIRED = "Your organization access level is insufficient."


class PolicyView(msgspec.Struct, frozen=True, kw_only=True):
    policy: ApprovalPolicy
    created_by: User | None


class PolicyWrite(msgspec.Struct, frozen=True, kw_only=True):
    project: Project
    membership: Membership
    user_id: int
    body: dict[str, Any]
    policy_id: str | None = None
    #: PUT: ``action_key`` must be sent.
    full: bool = False


def _fields(body: dict[str, Any]) -> dict[str, Any]:
    """The policy fields ``body`` sets, checked with PostHog's messages (absent fields are left out)."""
    parsers = {
        "action_key": check_action_key,
        "conditions": check_conditions,
        "approver_config": parse_approver_config,
        "bypass_org_membership_levels": parse_bypass_levels,
        "bypass_roles": lambda v: parse_levels(v, attr="bypass_roles"),
        "expires_after": parse_duration,
    }
    fields: dict[str, Any] = {name: parse(body[name]) for name, parse in parsers.items() if name in body}
    for name in ("allow_self_approve", "enabled"):
        if name in body:
            if not isinstance(body[name], bool):
                raise InvalidInputError("Must be a valid boolean.", code="invalid", attr=name)
            fields[name] = body[name]
    return fields


async def _check_members(uow: UnitOfWork, organization_id: str, users: tuple[int, ...]) -> None:
    """Approvers are members of the organization: anyone else could never approve (nor see the request)."""
    for user_id in users:
        if await uow.organizations.get_membership(organization_id, user_id) is None:
            raise InvalidInputError(
                f"User {user_id} is not a member of this organization.", code="invalid", attr="approver_config"
            )


def _require_admin(membership: Membership) -> None:
    if membership.level < MembershipLevel.ADMIN:
        raise ForbiddenError(ADMIN_REQUIRED)


async def _view(uow: UnitOfWork, policy: ApprovalPolicy) -> PolicyView:
    user = await uow.users.get(policy.created_by_id) if policy.created_by_id is not None else None
    return PolicyView(policy=policy, created_by=user)


async def _get(uow: UnitOfWork, project: Project, policy_id: str) -> ApprovalPolicy:
    policy = await uow.approval_policies.get(project.organization_id, policy_id) if _is_uuid(policy_id) else None
    if policy is None or policy.project_id not in (project.id, None):
        raise ApprovalPolicyNotFoundError
    return policy


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


class ListApprovalPolicies:
    def __init__(self, transactions: UnitOfWorkFactory) -> None:
        self._transactions = transactions

    async def execute(self, project: Project, *, action_key: str | None, enabled: bool | None) -> list[PolicyView]:
        """The project's and the organization's policies, filtered."""
        async with self._transactions.begin() as uow:
            policies = await uow.approval_policies.list_for_project(project.organization_id, project.id)
            return [
                await _view(uow, p)
                for p in policies
                if (action_key is None or p.action_key == action_key) and (enabled is None or p.enabled is enabled)
            ]


class GetApprovalPolicy:
    def __init__(self, transactions: UnitOfWorkFactory) -> None:
        self._transactions = transactions

    async def execute(self, project: Project, policy_id: str) -> PolicyView:
        """Raises ApprovalPolicyNotFoundError unless the policy applies to the project."""
        async with self._transactions.begin() as uow:
            return await _view(uow, await _get(uow, project, policy_id))


class WriteApprovalPolicy:
    """Create (``policy_id`` None), update or replace a policy."""

    def __init__(self, transactions: UnitOfWorkFactory, clock: Clock) -> None:
        self._transactions = transactions
        self._clock = clock

    async def execute(self, cmd: PolicyWrite) -> PolicyView:
        """Store the policy and return it.

        Raises:
            ForbiddenError: the caller is not an organization admin.
            InvalidInputError: a field breaks a rule; DuplicatePolicyError for a second policy of an action.
        """
        _require_admin(cmd.membership)
        fields = _fields(cmd.body)
        organization_wide = cmd.body.get("organization_wide", False)
        if not isinstance(organization_wide, bool):
            raise InvalidInputError("Must be a valid boolean.", code="invalid", attr="organization_wide")
        if (cmd.policy_id is None or cmd.full) and "action_key" not in fields:
            raise InvalidInputError("This field is required.", code="required", attr="action_key")
        now = self._clock.now()
        async with self._transactions.begin() as uow:
            if await uow.lock_organization(cmd.project.organization_id) is None:
                raise ProjectNotFoundError
            if "approver_config" in fields:
                await _check_members(uow, cmd.project.organization_id, fields["approver_config"].users)
            if cmd.policy_id is None:
                policy = ApprovalPolicy(
                    id=str(uuid.uuid4()),
                    organization_id=cmd.project.organization_id,
                    project_id=None if organization_wide else cmd.project.id,
                    created_by_id=cmd.user_id,
                    created_at=now,
                    updated_at=now,
                    **fields,
                )
                await uow.approval_policies.add(policy)
            else:
                current = await _get(uow, cmd.project, cmd.policy_id)
                if "organization_wide" in cmd.body or cmd.full:  # moved between the project and the organization
                    fields["project_id"] = None if organization_wide else cmd.project.id
                policy = msgspec.structs.replace(current, updated_at=now, **fields)
                await uow.approval_policies.update(policy)
            view = await _view(uow, policy)
            await uow.commit()
        return view


class DeleteApprovalPolicy:
    def __init__(self, transactions: UnitOfWorkFactory) -> None:
        self._transactions = transactions

    async def execute(self, project: Project, membership: Membership, policy_id: str) -> None:
        """Hard-delete the policy. Raises ForbiddenError (not an admin) or ApprovalPolicyNotFoundError."""
        _require_admin(membership)
        async with self._transactions.begin() as uow:
            await uow.lock_organization(project.organization_id)
            policy = await _get(uow, project, policy_id)
            await uow.approval_policies.remove(project.organization_id, policy.id)
            await uow.commit()
