"""Errors of approvals: a gated write, a policy conflict, and the refusals of change-request actions."""

from __future__ import annotations

from typing import Any

from flagcore.domain.approvals.model import ChangeRequest
from flagcore.domain.approvals.viewer import Actor
from flagcore.domain.errors import ConflictError, ForbiddenError, InvalidInputError, NotFoundError
from flagcore.domain.identity import User


class ApprovalRequiredError(ConflictError):
    """The write needs approval: it was not made, and ``change_request`` (stored) stands for it.

    ``code`` is ``approval_required``, or ``change_request_pending`` when an open request for the same action and
    flag already existed (then ``change_request`` is that one and ``required_approvers`` is empty).
    """

    def __init__(
        self,
        change_request: ChangeRequest,
        *,
        message: str,
        required_approvers: dict[str, Any],
        duplicate: bool,
        users: dict[int, User] | None = None,
        viewer: Actor | None = None,
    ) -> None:
        super().__init__(message, code="change_request_pending" if duplicate else "approval_required")
        self.change_request = change_request
        self.required_approvers = required_approvers
        self.duplicate = duplicate
        #: The users the change request names (requester, voters), for rendering it.
        self.users = users or {}
        #: Who made the write, for the fields PostHog computes for the caller.
        self.viewer = viewer or Actor(user_id=change_request.created_by_id)


class PolicyConflictError(InvalidInputError):
    """More than one policy requires approval for the same write (PostHog: ``code: policy_conflict``)."""

    def __init__(self, policy_ids: list[str]) -> None:
        super().__init__("policy_conflict", code="invalid", attr="code")
        self.policy_ids = policy_ids


class ChangeRequestActionError(InvalidInputError):
    """An action on a change request that its state or votes no longer allow: PostHog's 400 ``{"error": ...}``."""


class ChangeRequestForbiddenError(ForbiddenError):
    """The caller may not take this action on the change request (approver set, self-approval, ownership)."""


class ChangeRequestNotFoundError(NotFoundError):
    def __init__(self) -> None:
        super().__init__("Not found.")


class ApprovalPolicyNotFoundError(NotFoundError):
    def __init__(self) -> None:
        super().__init__("Not found.")


class DuplicatePolicyError(InvalidInputError):
    def __init__(self) -> None:
        super().__init__(
            "A policy for this action already exists. You can edit the existing policy instead.", attr="action_key"
        )
