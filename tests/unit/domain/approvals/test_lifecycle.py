from __future__ import annotations

import re
from datetime import timedelta

import pytest

from flagcore.domain.approvals import (
    Actor,
    ChangeRequestActionError,
    ChangeRequestForbiddenError,
    ChangeRequestState,
    ValidationStatus,
)
from flagcore.domain.approvals.lifecycle import (
    applied,
    caller_view,
    cancel,
    check_may_cancel,
    check_may_vote,
    expired,
    failed,
    is_due_to_expire,
    stale,
    vote,
)
from tests.unit.domain.approvals.support import NOW, ballot, request

S = ChangeRequestState

PERMISSIONS = [
    ("approver", {}, 2, None),
    ("not pending", {"state": S.APPLIED}, 2, "Only pending change requests can be approved"),
    ("requester", {}, 1, "You cannot approve your own change request"),
    (
        "requester listed but self-approval off",
        {"policy_snapshot": {"users": [1], "allow_self_approve": False}},
        1,
        "You cannot approve your own change request",
    ),
    ("requester with self-approval", {"policy_snapshot": {"users": [1], "allow_self_approve": True}}, 1, None),
    ("outsider", {}, 9, "You are not in the approver set for this change request"),
]


@pytest.mark.parametrize(("case", "fields", "user", "error"), PERMISSIONS, ids=[c[0] for c in PERMISSIONS])
def test_who_may_vote(case: str, fields: dict, user: int, error: str | None) -> None:
    actor = Actor(user_id=user, level=1)
    if error is None:
        check_may_vote(request(**fields), actor)
    else:
        with pytest.raises(ChangeRequestForbiddenError, match=re.escape(error)):
            check_may_vote(request(**fields), actor)


def test_quorum_approves_after_enough_votes() -> None:
    first = vote(request(), ballot(2), action="approve", now=NOW)
    assert first.state is S.PENDING
    assert first.approvals == 1
    second = vote(first, ballot(3), action="approve", now=NOW)
    assert second.state is S.APPROVED


def test_a_listed_user_who_left_the_organization_may_not_vote() -> None:
    with pytest.raises(ChangeRequestForbiddenError, match="not in the approver set"):
        check_may_vote(request(), Actor(user_id=2, level=None))


def test_approvals_of_voters_who_are_no_longer_approvers_do_not_count() -> None:
    first = vote(request(), ballot(2), action="approve", now=NOW)
    # User 2 left before user 3 voted: one approval counts (3's), short of the quorum of 2.
    second = vote(first, ballot(3), action="approve", now=NOW, eligible=frozenset())
    assert (second.state, second.approvals) == (S.PENDING, 2)
    third = vote(second, ballot(4), action="approve", now=NOW, eligible=frozenset({3}))
    assert third.state is S.APPROVED


def test_rejection_rejects_at_once() -> None:
    assert vote(request(), ballot(2, "rejected"), action="reject", now=NOW).state is S.REJECTED


@pytest.mark.parametrize(
    ("action", "message"),
    [
        ("approve", "This change request can no longer be approved."),
        ("reject", "This change request can no longer be rejected."),
    ],
)
def test_vote_on_closed_request(action: str, message: str) -> None:
    with pytest.raises(ChangeRequestActionError, match=re.escape(message)):
        vote(request(state=S.REJECTED), ballot(2), action=action, now=NOW)  # type: ignore[arg-type]


def test_second_vote_refused() -> None:
    once = vote(request(), ballot(2), action="approve", now=NOW)
    with pytest.raises(ChangeRequestActionError, match=re.escape("You have already voted on this change request.")):
        vote(once, ballot(2), action="approve", now=NOW)


CANCEL = [
    ("requester while pending", {}, 1, None),
    ("someone else", {}, 2, "You can only cancel your own change requests"),
    ("after an approval", {"votes": (ballot(2),)}, 1, "You cannot cancel this change request"),
    ("after an approval, stale", {"votes": (ballot(2),), "validation_status": ValidationStatus.STALE}, 1, None),
    ("not pending", {"state": S.APPLIED}, 1, "You cannot cancel this change request"),
]


@pytest.mark.parametrize(("case", "fields", "user", "error"), CANCEL, ids=[c[0] for c in CANCEL])
def test_who_may_cancel(case: str, fields: dict, user: int, error: str | None) -> None:
    actor = Actor(user_id=user)
    if error is None:
        check_may_cancel(request(**fields), actor)
        assert cancel(request(**fields), ballot(user, "rejected"), actor=actor, now=NOW).state is S.REJECTED
    else:
        with pytest.raises(ChangeRequestForbiddenError, match=re.escape(error)):
            check_may_cancel(request(**fields), actor)


def test_cancel_under_lock_rechecks_state() -> None:
    with pytest.raises(ChangeRequestActionError, match=re.escape("This change request can no longer be canceled.")):
        cancel(request(state=S.EXPIRED), ballot(1, "rejected"), actor=Actor(user_id=1), now=NOW)


def test_applied_and_failed() -> None:
    done = applied(request(state=S.APPROVED), resource_version=3, now=NOW)
    assert (done.state, done.applied_by_id, done.result_data) == (
        S.APPLIED,
        1,
        {"resource_id": "1", "resource_version": 3},
    )
    broken = failed(request(state=S.APPROVED), error="Precondition failed: x", now=NOW)
    assert (broken.state, broken.apply_error) == (S.FAILED, "Precondition failed: x")


EXPIRY = [
    (S.PENDING, timedelta(days=15), True),
    (S.APPROVED, timedelta(days=15), True),
    (S.PENDING, timedelta(days=13), False),
    (S.APPLIED, timedelta(days=15), False),
    (S.REJECTED, timedelta(days=15), False),
]


@pytest.mark.parametrize(("state", "later", "due"), EXPIRY)
def test_expiry(state: ChangeRequestState, later: timedelta, due: bool) -> None:
    assert is_due_to_expire(request(state=state), NOW + later) is due
    if due:
        assert expired(request(state=state), now=NOW + later).state is S.EXPIRED


def test_stale_lets_requester_cancel_after_approval() -> None:
    approved_once = request(votes=(ballot(2),))
    assert caller_view(approved_once, Actor(user_id=1))["can_cancel"] is False
    assert caller_view(stale(approved_once, now=NOW), Actor(user_id=1))["can_cancel"] is True


VIEW = [
    (2, {"can_approve": True, "can_cancel": False, "is_requester": False, "user_decision": None}),
    (1, {"can_approve": False, "can_cancel": False, "is_requester": True, "user_decision": None}),
    (3, {"can_approve": False, "can_cancel": False, "is_requester": False, "user_decision": "approved"}),
]


@pytest.mark.parametrize(("user", "expected"), VIEW)
def test_caller_view(user: int, expected: dict) -> None:
    assert caller_view(request(votes=(ballot(3),)), Actor(user_id=user, level=1)) == expected
