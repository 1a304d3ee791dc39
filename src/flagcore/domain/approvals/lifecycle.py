"""The change-request state machine: pending -> approved -> applied, or rejected, expired, failed.

Permission checks (403, PostHog's ``CanApprove`` / ``CanCancel``) are separate from state checks (400, run again
under the project's lock), as in PostHog, where the permission class sees the request before the service locks it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final, Literal

import msgspec

from flagcore.domain.approvals.errors import ChangeRequestActionError, ChangeRequestForbiddenError
from flagcore.domain.approvals.model import (
    OPEN_STATES,
    ChangeRequest,
    ChangeRequestState,
    Decision,
    ValidationStatus,
    Vote,
)
from flagcore.domain.approvals.policy import is_approver
from flagcore.domain.approvals.viewer import Actor

VoteAction = Literal["approve", "reject"]
ALREADY_VOTED: Final = "You have already voted on this change request."
REASON_REQUIRED: Final = "A reason is required for rejection."


def check_may_vote(request: ChangeRequest, actor: Actor) -> None:
    """PostHog's ``CanApprove``, for approve and reject.

    Raises:
        ChangeRequestForbiddenError: not pending, the requester without self-approval, or not an approver.
    """
    if request.state is not ChangeRequestState.PENDING:
        raise ChangeRequestForbiddenError("Only pending change requests can be approved")
    if _is_requester(request, actor) and not request.policy_snapshot.get("allow_self_approve", False):
        raise ChangeRequestForbiddenError("You cannot approve your own change request")
    if not is_approver(request.policy_snapshot, actor):
        raise ChangeRequestForbiddenError("You are not in the approver set for this change request")


def vote(
    request: ChangeRequest,
    ballot: Vote,
    *,
    action: VoteAction,
    now: datetime,
    eligible: frozenset[int] | None = None,
) -> ChangeRequest:
    """The request with ``ballot`` counted: approved once the quorum is reached, rejected by any rejection.

    ``eligible``: the earlier voters who are still approvers (members in the approver set); the approvals of
    anyone else (who left the organization, or lost the level that made them an approver) stay on the record but
    no longer count toward the quorum. None counts every approval.

    Raises:
        ChangeRequestActionError: the request is no longer pending, or the voter already voted.
    """
    if request.state is not ChangeRequestState.PENDING:
        verb = "approved" if action == "approve" else "rejected"
        raise ChangeRequestActionError(f"This change request can no longer be {verb}.")
    if any(v.user_id == ballot.user_id for v in request.votes):
        raise ChangeRequestActionError(ALREADY_VOTED)
    updated = msgspec.structs.replace(request, votes=(*request.votes, ballot), updated_at=now)
    if ballot.decision == "rejected":
        return msgspec.structs.replace(updated, state=ChangeRequestState.REJECTED)
    counted = sum(
        1
        for v in updated.votes
        if v.decision == "approved" and (eligible is None or v is ballot or v.user_id in eligible)
    )
    if counted >= updated.quorum:
        return msgspec.structs.replace(updated, state=ChangeRequestState.APPROVED)
    return updated


def may_cancel(request: ChangeRequest, actor: Actor) -> bool:
    """``can_be_canceled_by``: the requester, while pending, before any approval (or once the request is stale)."""
    return (
        request.state is ChangeRequestState.PENDING
        and _is_requester(request, actor)
        and (request.approvals == 0 or request.validation_status is ValidationStatus.STALE)
    )


def check_may_cancel(request: ChangeRequest, actor: Actor) -> None:
    """Raises ChangeRequestForbiddenError unless the actor may cancel the request."""
    if not _is_requester(request, actor):
        raise ChangeRequestForbiddenError("You can only cancel your own change requests")
    if not may_cancel(request, actor):
        raise ChangeRequestForbiddenError("You cannot cancel this change request")


def cancel(request: ChangeRequest, ballot: Vote, *, actor: Actor, now: datetime) -> ChangeRequest:
    """The request withdrawn by its requester: a rejection carrying the reason.

    Raises:
        ChangeRequestActionError: it can no longer be canceled (checked again under the lock).
    """
    if not may_cancel(request, actor):
        raise ChangeRequestActionError("This change request can no longer be canceled.")
    return msgspec.structs.replace(
        request, votes=(*request.votes, ballot), state=ChangeRequestState.REJECTED, updated_at=now
    )


def applied(request: ChangeRequest, *, resource_version: int, now: datetime) -> ChangeRequest:
    """The approved request after its change was written, as the requester."""
    return msgspec.structs.replace(
        request,
        state=ChangeRequestState.APPLIED,
        applied_at=now,
        applied_by_id=request.created_by_id,
        updated_at=now,
        result_data={"resource_id": request.resource_id, "resource_version": resource_version},
    )


def failed(request: ChangeRequest, *, error: str, now: datetime) -> ChangeRequest:
    """The approved request whose change could not be written (precondition, validation)."""
    return msgspec.structs.replace(request, state=ChangeRequestState.FAILED, apply_error=error, updated_at=now)


def is_due_to_expire(request: ChangeRequest, now: datetime) -> bool:
    return request.state in OPEN_STATES and request.expires_at <= now


def expired(request: ChangeRequest, *, now: datetime) -> ChangeRequest:
    return msgspec.structs.replace(
        request, state=ChangeRequestState.EXPIRED, validation_status=ValidationStatus.EXPIRED, updated_at=now
    )


def stale(request: ChangeRequest, *, now: datetime) -> ChangeRequest:
    """The pending request whose flag changed since it was made: it will fail its precondition if approved."""
    return msgspec.structs.replace(request, validation_status=ValidationStatus.STALE, validated_at=now, updated_at=now)


def caller_view(request: ChangeRequest, actor: Actor) -> dict[str, Any]:
    """What PostHog computes for the caller: ``can_approve``, ``can_cancel``, ``is_requester``, ``user_decision``."""
    decision: Decision | None = next((v.decision for v in request.votes if v.user_id == actor.user_id), None)
    try:
        check_may_vote(request, actor)
        can_approve = decision is None
    except ChangeRequestForbiddenError:
        can_approve = False
    return {
        "can_approve": can_approve,
        "can_cancel": may_cancel(request, actor),
        "is_requester": _is_requester(request, actor),
        "user_decision": decision,
    }


def _is_requester(request: ChangeRequest, actor: Actor) -> bool:
    return actor.user_id is not None and request.created_by_id == actor.user_id
