from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import msgspec
import pytest

from flagcore.domain.approvals import (
    ApprovalPolicy,
    ApproverConfig,
    ChangeRequest,
    ChangeRequestState,
    DuplicatePolicyError,
    ValidationStatus,
    Vote,
)
from flagcore.ports.approvals import ApprovalPolicyRepo, ChangeRequestQuery, ChangeRequestRepo
from tests.contract.seed import ORG_ID, OTHER_ORG_ID, OTHER_PROJECT_ID, PROJECT_ID

T0 = datetime(2026, 1, 1, tzinfo=UTC)
S = ChangeRequestState


def policy(
    policy_id: str, *, project_id: int | None = PROJECT_ID, action_key: str = "feature_flag.enable"
) -> ApprovalPolicy:
    return ApprovalPolicy(
        id=policy_id,
        organization_id=ORG_ID,
        project_id=project_id,
        action_key=action_key,
        conditions={"type": "any_change", "field": "active"},
        approver_config=ApproverConfig(quorum=2, users=(1, 2), roles=(8,)),
        bypass_org_membership_levels=(15,),
        expires_after=timedelta(days=3),
        created_by_id=1,
        created_at=T0 + timedelta(seconds=len(policy_id)),
        updated_at=T0,
    )


def change_request(request_id: str, *, minutes: int = 0, **fields: object) -> ChangeRequest:
    values: dict[str, object] = {
        "id": request_id,
        "organization_id": ORG_ID,
        "project_id": PROJECT_ID,
        "action_key": "feature_flag.enable",
        "resource_id": "7",
        "intent": {"flag_id": 7, "preconditions": {"version": 3}},
        "policy_snapshot": {"quorum": 2, "users": [2, 3]},
        "created_by_id": 1,
        "created_at": T0 + timedelta(minutes=minutes),
        "updated_at": T0,
        "expires_at": T0 + timedelta(days=14),
    }
    return ChangeRequest(**(values | fields))  # type: ignore[arg-type]


def vote(user_id: int, decision: str = "approved") -> Vote:
    return Vote(
        id=f"00000000-0000-0000-0000-00000000000{user_id}",
        user_id=user_id,
        decision=decision,
        reason="r",
        created_at=T0,
    )  # type: ignore[arg-type]


async def test_policy_round_trip_and_scope(approval_policies: ApprovalPolicyRepo) -> None:
    project, organization = policy("p1"), policy("p2", project_id=None)
    other_project = policy("p3", project_id=OTHER_PROJECT_ID)
    for p in (project, organization, other_project):
        await approval_policies.add(p)
    assert await approval_policies.get(ORG_ID, "p1") == project
    assert await approval_policies.get(OTHER_ORG_ID, "p1") is None
    assert [p.id for p in await approval_policies.list_for_project(ORG_ID, PROJECT_ID)] == ["p1", "p2"]


@pytest.mark.parametrize("project_id", [PROJECT_ID, None])
async def test_one_policy_per_action_and_scope(approval_policies: ApprovalPolicyRepo, project_id: int | None) -> None:
    await approval_policies.add(policy("p1", project_id=project_id))
    with pytest.raises(DuplicatePolicyError):
        await approval_policies.add(policy("p2", project_id=project_id))
    await approval_policies.add(policy("p3", project_id=project_id, action_key="feature_flag.disable"))
    with pytest.raises(DuplicatePolicyError):
        await approval_policies.update(
            msgspec.structs.replace(policy("p3", project_id=project_id), action_key="feature_flag.enable")
        )


async def test_policy_update_and_remove(approval_policies: ApprovalPolicyRepo) -> None:
    await approval_policies.add(policy("p1"))
    changed = msgspec.structs.replace(policy("p1"), enabled=False, approver_config=ApproverConfig(quorum=1))
    await approval_policies.update(changed)
    assert await approval_policies.get(ORG_ID, "p1") == changed
    assert await approval_policies.remove(OTHER_ORG_ID, "p1") is False
    assert await approval_policies.remove(ORG_ID, "p1") is True
    assert await approval_policies.get(ORG_ID, "p1") is None


async def test_request_round_trip_with_votes(change_requests: ChangeRequestRepo) -> None:
    stored = change_request("cr1", votes=(vote(2),))
    await change_requests.add(stored)
    assert await change_requests.get(PROJECT_ID, "cr1") == stored
    assert await change_requests.get(OTHER_PROJECT_ID, "cr1") is None


async def test_save_is_a_compare_and_set_on_state(change_requests: ChangeRequestRepo) -> None:
    await change_requests.add(change_request("cr1"))
    approved = msgspec.structs.replace(change_request("cr1"), votes=(vote(2), vote(3)), state=S.APPROVED)
    assert await change_requests.save(approved, expected_state=S.PENDING) is True
    assert await change_requests.save(approved, expected_state=S.PENDING) is False
    done = msgspec.structs.replace(
        approved,
        state=S.APPLIED,
        applied_at=T0,
        applied_by_id=1,
        result_data={"resource_id": "7", "resource_version": 4},
    )
    assert await change_requests.save(done, expected_state=S.APPROVED) is True
    assert await change_requests.get(PROJECT_ID, "cr1") == done


async def test_listing_filters_and_order(change_requests: ChangeRequestRepo) -> None:
    await change_requests.add(change_request("a", minutes=1))
    await change_requests.add(change_request("b", minutes=2, state=S.APPLIED, created_by_id=2))
    await change_requests.add(change_request("c", minutes=3, action_key="feature_flag.update", resource_id="8"))
    await change_requests.add(change_request("d", minutes=4, project_id=OTHER_PROJECT_ID))

    async def ids(**query: object) -> list[str]:
        page, _ = await change_requests.page(PROJECT_ID, ChangeRequestQuery(**query))  # type: ignore[arg-type]
        return [r.id for r in page]

    assert await ids() == ["c", "b", "a"]
    assert await ids(states=frozenset({S.PENDING})) == ["c", "a"]
    assert await ids(states=frozenset({S.PENDING, S.APPLIED})) == ["c", "b", "a"]
    assert await ids(action_key="feature_flag.update") == ["c"]
    assert await ids(requester_id=2) == ["b"]
    assert await ids(resource_type="feature_flag", resource_id="7") == ["b", "a"]
    assert await ids(limit=1, offset=1) == ["b"]
    assert (await change_requests.page(PROJECT_ID, ChangeRequestQuery(limit=1)))[1] == 3


async def test_find_open_sees_pending_and_approved_only(change_requests: ChangeRequestRepo) -> None:
    await change_requests.add(change_request("a", state=S.REJECTED))
    assert await change_requests.find_open(PROJECT_ID, "feature_flag.enable", "7") is None
    await change_requests.add(change_request("b", state=S.APPROVED))
    found = await change_requests.find_open(PROJECT_ID, "feature_flag.enable", "7")
    assert found is not None
    assert found.id == "b"
    assert await change_requests.find_open(PROJECT_ID, "feature_flag.disable", "7") is None


async def test_expire_due_once(change_requests: ChangeRequestRepo) -> None:
    await change_requests.add(change_request("due", expires_at=T0))
    await change_requests.add(change_request("approved-due", expires_at=T0, state=S.APPROVED))
    await change_requests.add(change_request("later", expires_at=T0 + timedelta(days=1)))
    await change_requests.add(change_request("closed", expires_at=T0, state=S.APPLIED))
    assert await change_requests.expire_due(T0) == 2
    assert await change_requests.expire_due(T0) == 0
    due = await change_requests.get(PROJECT_ID, "due")
    assert due is not None
    assert (due.state, due.validation_status) == (S.EXPIRED, ValidationStatus.EXPIRED)
    assert [r.id for r in await change_requests.list_open(limit=10)] == ["later"]


async def test_concurrent_expiry_expires_each_request_once(change_requests: ChangeRequestRepo) -> None:
    for i in range(10):
        await change_requests.add(change_request(f"0195f0d4-0000-7000-8000-0000000000{i:02d}", expires_at=T0))
    counts = await asyncio.gather(*(change_requests.expire_due(T0) for _ in range(4)))
    assert sum(counts) == 10
