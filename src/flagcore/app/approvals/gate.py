"""The approval gate: the one check every flag write passes before it is written.

``UpdateFlag.write`` (PUT, PATCH, copy_flags, scheduled changes) and ``BulkDeleteFlags`` call
:meth:`ApprovalGate.check` with the flag before and after the change, inside their unit of work and under the
project's write lock. When a policy requires approval, the gate stores a change request in that unit of work and
raises :class:`ApprovalRequiredError` carrying it; the flag is not written. The caller commits the unit of work so
that the change request persists (``UpdateFlag.write`` does so itself unless told otherwise).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import msgspec

from flagcore.app.flags.changes import FlagChanges
from flagcore.domain.approvals import (
    DUPLICATE_MESSAGE,
    RESOURCE_TYPE,
    Actor,
    ApprovalRequiredError,
    ChangeRequest,
    GateDecision,
    detect_actions,
    evaluate_gate,
    policy_snapshot,
    required_approvers,
)
from flagcore.domain.flags import FeatureFlag
from flagcore.domain.identity import Project, User
from flagcore.ports.clock import Clock
from flagcore.ports.unit_of_work import UnitOfWork


class GatedWrite(msgspec.Struct, frozen=True, kw_only=True):
    """One flag write as the gate sees it: what it changes and how to replay it once approved."""

    project: Project
    user_id: int | None
    before: FeatureFlag
    after: FeatureFlag
    changes: FlagChanges
    full_update: bool = False
    http_method: str = "PATCH"


class ApprovalGate:
    """Decide whether a flag write needs approval; if so, store its change request and raise."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    async def would_stop(self, uow: UnitOfWork, write: GatedWrite) -> bool:
        """Whether ``check`` would stop the write (for dry runs: reads only, stores nothing)."""
        decision = await self._decide(uow, write)
        return decision is not None

    async def _decide(self, uow: UnitOfWork, write: GatedWrite) -> tuple[GateDecision, Actor] | None:
        project = write.project
        # What the write changes first (pure): a write that touches nothing gated costs no read at all.
        actions = detect_actions(write.before, write.after, sent=_sent_fields(write.changes))
        if not actions:
            return None
        policies = await uow.approval_policies.list_for_project(project.organization_id, project.id)
        if not any(p.enabled for p in policies):  # the common case: one indexed read and nothing else
            return None
        actor = await actor_of(uow, project.organization_id, write.user_id)
        decision = evaluate_gate(actions, policies, project_id=project.id, actor=actor)
        return None if decision is None else (decision, actor)

    async def check(self, uow: UnitOfWork, write: GatedWrite) -> None:
        """Let the write through, or stop it.

        Raises:
            ApprovalRequiredError: a policy requires approval (a new change request was added to ``uow``), or an
                open request for the same action and flag exists (``duplicate``; nothing added).
            PolicyConflictError: more than one policy requires approval for this write.
        """
        project = write.project
        decided = await self._decide(uow, write)
        if decided is None:
            return
        decision, actor = decided
        existing = await uow.change_requests.find_open(project.id, decision.action.key, str(write.before.id))
        if existing is not None:
            users = await users_of(uow, existing)
            raise ApprovalRequiredError(
                existing, message=DUPLICATE_MESSAGE, required_approvers={}, duplicate=True, users=users, viewer=actor
            )
        request = self._change_request(write, decision, self._clock.now())
        await uow.change_requests.add(request)
        raise ApprovalRequiredError(
            request,
            message=decision.message,
            required_approvers=required_approvers(decision.policy),
            duplicate=False,
            users=await users_of(uow, request),
            viewer=actor,
        )

    @staticmethod
    def _change_request(write: GatedWrite, decision: GateDecision, now: datetime) -> ChangeRequest:
        before = write.before
        intent: dict[str, Any] = {
            "flag_id": before.id,
            "flag_key": before.key,
            "current_state": _current_state(before, write.changes),
            "gated_changes": decision.action.gated_changes,
            "full_request_data": msgspec.to_builtins(write.changes),
            "full_update": write.full_update,
            "preconditions": {
                "version": before.version,
                "updated_at": before.updated_at.isoformat() if before.updated_at else None,
            },
            "http_method": write.http_method,
        }
        return ChangeRequest(
            id=str(uuid.uuid4()),
            organization_id=write.project.organization_id,
            project_id=write.project.id,
            action_key=decision.action.key,
            resource_type=RESOURCE_TYPE,
            resource_id=str(before.id),
            intent=intent,
            intent_display={"flag_key": before.key, "action": decision.action.key, **decision.action.gated_changes},
            policy_snapshot=policy_snapshot(decision.policy),
            created_by_id=write.user_id,
            created_at=now,
            updated_at=now,
            expires_at=now + decision.policy.expires_after,
        )


async def actor_of(uow: UnitOfWork, organization_id: str, user_id: int | None) -> Actor:
    """The user with their membership level in the organization (None without a membership)."""
    if user_id is None:
        return Actor(user_id=None)
    membership = await uow.organizations.get_membership(organization_id, user_id)
    return Actor(user_id=user_id, level=int(membership.level) if membership is not None else None)


async def users_of(uow: UnitOfWork, request: ChangeRequest) -> dict[int, User]:
    """The users a rendered change request names: its requester and its voters."""
    ids = {request.created_by_id, request.applied_by_id, *(v.user_id for v in request.votes)}
    users: dict[int, User] = {}
    for user_id in sorted(i for i in ids if i is not None):
        user = await uow.users.get(user_id)
        if user is not None:
            users[user_id] = user
    return users


def _current_state(before: FeatureFlag, changes: FlagChanges) -> dict[str, Any]:
    """The flag's state the request was made against: the gated fields and every field the write sends.

    So a reader of the request sees each sent field's before and after (``FlagChanges`` fields are the flag's).
    """
    state: dict[str, Any] = {name: getattr(before, name) for name in _sent_fields(changes)}
    state.update(active=before.active, deleted=before.deleted, filters=before.filters, version=before.version)
    return msgspec.to_builtins(state)  # type: ignore[no-any-return]


def _sent_fields(changes: FlagChanges) -> frozenset[str]:
    return frozenset(msgspec.to_builtins(changes))
