"""A change request as the UI shows it: its field-level change, what was gated, approvers, who may act and why not."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from flagcore.app.approvals.views import ChangeRequestView
from flagcore.app.http.ui.change_view import approvers, gated_changes, request_page, requested_changes
from flagcore.domain.approvals import Actor, ChangeRequestState
from flagcore.domain.identity import User
from tests.unit.domain.approvals.support import ballot, request

NOW = datetime(2026, 1, 1, tzinfo=UTC)
GROUPS_50 = {"groups": [{"properties": [], "rollout_percentage": 50, "variant": None}]}


def _user(user_id: int, email: str) -> User:
    return User(id=user_id, uuid=f"u{user_id}", email=email, distinct_id=f"d{user_id}", created_at=NOW)


@pytest.mark.parametrize(
    ("state", "sent", "full_update", "rows"),
    [
        pytest.param(
            {"active": False, "filters": GROUPS_50},
            {"active": True},
            False,
            [("active", "false", "true")],
            id="patch-active",
        ),
        pytest.param(
            {"active": False, "name": "Old", "filters": GROUPS_50},
            {"active": True, "name": "New", "filters": {**GROUPS_50, "payloads": {}, "multivariate": None}},
            True,
            [("name", "Old", "New"), ("active", "false", "true")],
            id="ui-full-update-empty-values-are-no-change",
        ),
        pytest.param(
            {"active": True, "filters": {**GROUPS_50, "payloads": {"true": "1"}}},
            {"filters": {"groups": [{"properties": [], "rollout_percentage": 80, "variant": None}]}},
            False,
            [("filters.groups[0].rollout_percentage", "50", "80")],
            id="patch-merges-filters-key-by-key",
        ),
        pytest.param(
            {"active": True, "filters": {**GROUPS_50, "payloads": {"true": "1"}}},
            {"filters": {"groups": [{"properties": [], "rollout_percentage": 80, "variant": None}]}},
            True,
            [("filters.groups[0].rollout_percentage", "50", "80"), ("filters.payloads.true", "1", "—")],
            id="put-replaces-filters",
        ),
        pytest.param(
            {"active": False, "filters": GROUPS_50},
            {"active": True, "tags": ["a"]},
            False,
            [("active", "false", "true"), ("tags", "not recorded", '["a"]')],
            id="older-request-without-the-field",
        ),
    ],
)
def test_requested_changes(
    state: dict[str, Any], sent: dict[str, Any], full_update: bool, rows: list[tuple[str, str, str]]
) -> None:
    made = request(intent={"current_state": state, "full_request_data": sent, "full_update": full_update})
    assert requested_changes(made) == rows


def test_gated_changes_read_the_display_intent() -> None:
    display = {
        "flag_key": "f",
        "action": "feature_flag.update",
        "rollout_percentage": [{"path": "groups[0]", "before": 10, "after": 60}],
    }
    assert gated_changes(request(intent_display=display)) == [("rollout_percentage at groups[0]", "10", "60")]


@pytest.mark.parametrize(
    ("snapshot", "shown"),
    [
        ({"quorum": 1, "users": [2], "roles": []}, "1 approval from two@example.com"),
        ({"quorum": 2, "users": [9], "roles": [8, 15]}, "2 approvals from user 9, any admin, any owner"),
        ({"quorum": 1, "users": [], "roles": []}, "1 approval (no approver named)"),
    ],
)
def test_approvers(snapshot: dict[str, Any], shown: str) -> None:
    assert approvers(snapshot, {2: _user(2, "two@example.com")}) == shown


@pytest.mark.parametrize(
    ("viewer", "votes", "state", "can_approve", "can_cancel", "refusal"),
    [
        (2, (), ChangeRequestState.PENDING, True, False, ""),
        (1, (), ChangeRequestState.PENDING, False, True, "You cannot approve your own change request"),
        (9, (), ChangeRequestState.PENDING, False, False, "You are not in the approver set for this change request"),
        (
            2,
            (ballot(2),),
            ChangeRequestState.PENDING,
            False,
            False,
            "You have already voted on this change request (approved).",
        ),
        (2, (), ChangeRequestState.REJECTED, False, False, ""),  # decided: no forms, nothing to explain
    ],
)
def test_who_may_act_is_the_domains_answer(
    viewer: int, votes: tuple[Any, ...], state: ChangeRequestState, can_approve: bool, can_cancel: bool, refusal: str
) -> None:
    made = request(votes=votes, state=state)
    users = {1: _user(1, "one@example.com")}
    page = request_page(ChangeRequestView(request=made, users=users, viewer=Actor(user_id=viewer, level=1)))
    assert (page.can_approve, page.can_cancel, page.vote_refusal) == (can_approve, can_cancel, refusal)
    assert page.requester == "one@example.com"
