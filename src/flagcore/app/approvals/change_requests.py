"""Use cases: list and read change requests, and vote on them (approve, reject) or withdraw them (cancel).

Each action checks the caller's permission on the request as read first (403, PostHog's permission classes), then
takes the project's write lock, reads the request again and moves it on (400 when its state no longer allows the
action). Reaching the quorum applies the change in the same transaction as the last vote (``apply.py``), so
approvers voting at once apply it exactly once: they run one after another under the lock, and the state is
saved as a compare-and-set besides.
"""

from __future__ import annotations

import uuid
from typing import Literal

import msgspec

from flagcore.app.approvals.apply import ApplyChangeRequest
from flagcore.app.approvals.gate import actor_of, users_of
from flagcore.app.approvals.views import ActionOutcome, ChangeRequestPage, ChangeRequestView
from flagcore.domain.approvals import (
    ChangeRequest,
    ChangeRequestActionError,
    ChangeRequestNotFoundError,
    ChangeRequestState,
    Vote,
)
from flagcore.domain.approvals.lifecycle import REASON_REQUIRED, cancel, check_may_cancel, check_may_vote, vote
from flagcore.domain.approvals.policy import is_approver
from flagcore.domain.identity import ProjectNotFoundError
from flagcore.ports.approvals import ChangeRequestQuery
from flagcore.ports.clock import Clock
from flagcore.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory

Action = Literal["approve", "reject", "cancel"]


class ChangeRequestAction(msgspec.Struct, frozen=True, kw_only=True):
    project_id: int
    organization_id: str
    request_id: str
    user_id: int
    action: Action
    reason: str | None = None


class ListChangeRequests:
    def __init__(self, transactions: UnitOfWorkFactory) -> None:
        self._transactions = transactions

    async def execute(
        self, project_id: int, organization_id: str, user_id: int, query: ChangeRequestQuery
    ) -> ChangeRequestPage:
        """The project's change requests matching ``query``, newest first."""
        async with self._transactions.begin() as uow:
            requests, count = await uow.change_requests.page(project_id, query)
            viewer = await actor_of(uow, organization_id, user_id)
            views = [ChangeRequestView(request=r, users=await users_of(uow, r), viewer=viewer) for r in requests]
        return ChangeRequestPage(items=views, count=count)


class GetChangeRequest:
    def __init__(self, transactions: UnitOfWorkFactory) -> None:
        self._transactions = transactions

    async def execute(self, project_id: int, organization_id: str, user_id: int, request_id: str) -> ChangeRequestView:
        """Raises ChangeRequestNotFoundError unless the project has the request."""
        async with self._transactions.begin() as uow:
            request = await _get(uow, project_id, request_id)
            viewer = await actor_of(uow, organization_id, user_id)
            return ChangeRequestView(request=request, users=await users_of(uow, request), viewer=viewer)


class ActOnChangeRequest:
    """Approve, reject or cancel a change request (one use case: the three share their checks and locking)."""

    def __init__(self, transactions: UnitOfWorkFactory, apply: ApplyChangeRequest, clock: Clock) -> None:
        self._transactions = transactions
        self._apply = apply
        self._clock = clock

    async def execute(self, cmd: ChangeRequestAction) -> ActionOutcome:
        """Take the action; reaching the quorum applies the change.

        Raises:
            ChangeRequestNotFoundError: no such request in the project.
            ChangeRequestForbiddenError: the caller may not take this action (403).
            ChangeRequestActionError: the request's state or the caller's earlier vote forbids it (400).
        """
        async with self._transactions.begin() as uow:
            request = await _get(uow, cmd.project_id, cmd.request_id)
            actor = await actor_of(uow, cmd.organization_id, cmd.user_id)
            if cmd.action == "cancel":
                check_may_cancel(request, actor)
            else:
                check_may_vote(request, actor)
        if cmd.action == "reject" and not (cmd.reason or "").strip():
            raise ChangeRequestActionError(REASON_REQUIRED)
        async with self._transactions.begin() as uow:
            project = await uow.lock_project(cmd.project_id)
            if project is None:
                raise ProjectNotFoundError
            request = await _get(uow, cmd.project_id, cmd.request_id)
            actor = await actor_of(uow, cmd.organization_id, cmd.user_id)
            now = self._clock.now()
            ballot = Vote(
                id=str(uuid.uuid4()),
                user_id=cmd.user_id,
                decision="approved" if cmd.action == "approve" else "rejected",
                reason=cmd.reason
                if cmd.reason is not None
                else ("Canceled by requester" if cmd.action == "cancel" else ""),
                created_at=now,
            )
            eligible: frozenset[int] = frozenset()
            if cmd.action == "cancel":
                updated = cancel(request, ballot, actor=actor, now=now)
            else:
                eligible = await _still_approvers(uow, cmd.organization_id, request)
                updated = vote(request, ballot, action=cmd.action, now=now, eligible=eligible)
            if updated.state is ChangeRequestState.APPROVED:
                return await self._apply.execute(uow, project, updated, viewer=actor)
            await _save(uow, updated, cmd.action)
            await uow.commit()
            view = ChangeRequestView(request=updated, users=await users_of(uow, updated), viewer=actor)
        counted = sum(
            1 for v in updated.votes if v.decision == "approved" and (v.user_id in eligible or v.id == ballot.id)
        )
        return ActionOutcome(status=_STATUS[cmd.action], message=_message(cmd.action, updated, counted), view=view)


_STATUS = {"approve": "approved", "reject": "rejected", "cancel": "canceled"}


async def _still_approvers(uow: UnitOfWork, organization_id: str, request: ChangeRequest) -> frozenset[int]:
    """The earlier voters who are approvers today (a departed member's approval no longer counts)."""
    eligible = set()
    for earlier in request.votes:
        if is_approver(request.policy_snapshot, await actor_of(uow, organization_id, earlier.user_id)):
            eligible.add(earlier.user_id)
    return frozenset(eligible)


def _message(action: Action, request: ChangeRequest, counted: int) -> str:
    # ``counted``: the approvals that count toward the quorum (not those of voters who are no longer approvers).
    if action == "approve":
        return f"Approval recorded. {counted}/{request.quorum} approvals received."
    return "Change request rejected." if action == "reject" else "Change request canceled."


async def _save(uow: UnitOfWork, request: ChangeRequest, action: Action) -> None:
    if not await uow.change_requests.save(request, expected_state=ChangeRequestState.PENDING):
        verb = {"approve": "approved", "reject": "rejected", "cancel": "canceled"}[action]
        raise ChangeRequestActionError(f"This change request can no longer be {verb}.")


async def _get(uow: UnitOfWork, project_id: int, request_id: str) -> ChangeRequest:
    request = await uow.change_requests.get(project_id, request_id) if _is_uuid(request_id) else None
    if request is None:
        raise ChangeRequestNotFoundError
    return request


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
