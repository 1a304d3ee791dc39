from __future__ import annotations

import pytest

from flagcore.domain.approvals import (
    Actor,
    ApproverConfig,
    DetectedAction,
    PolicyConflictError,
    evaluate_gate,
    is_approver,
    policy_for,
)
from tests.unit.domain.approvals.support import policy

ENABLE = DetectedAction(
    key="feature_flag.enable", gated_changes={"active": [{"path": "active", "before": False, "after": True}]}
)
UPDATE = DetectedAction(
    key="feature_flag.update",
    gated_changes={"rollout_percentage": [{"path": "groups[0]", "before": 10, "after": 60}]},
)
MEMBER = Actor(user_id=1, level=1)


LOOKUP = [
    ("project policy first", [policy(project_id=None, id="org"), policy(project_id=1, id="proj")], "proj"),
    ("organization when the project has none", [policy(project_id=None, id="org")], "org"),
    ("another project's policy is ignored", [policy(project_id=2, id="other")], None),
    (
        "disabled project policy falls back",
        [policy(project_id=1, id="proj", enabled=False), policy(project_id=None, id="org")],
        "org",
    ),
    ("another action's policy", [policy("feature_flag.disable", id="dis")], None),
]


@pytest.mark.parametrize(("case", "policies", "expected"), LOOKUP, ids=[c[0] for c in LOOKUP])
def test_policy_lookup(case: str, policies: list, expected: str | None) -> None:
    found = policy_for("feature_flag.enable", policies, project_id=1)
    assert (found.id if found else None) == expected


GATE = [
    ("no policy", [], MEMBER, None),
    ("policy requires approval", [policy()], MEMBER, "A change request has been created and is pending approval."),
    ("bypass level", [policy(bypass_org_membership_levels=(8,))], Actor(user_id=1, level=8), None),
    (
        "bypass level not held",
        [policy(bypass_org_membership_levels=(8,))],
        MEMBER,
        "A change request has been created and is pending approval.",
    ),
    ("bypass role", [policy(bypass_roles=(15,))], Actor(user_id=1, level=15), None),
    (
        "approver without self-approval",
        [policy(approver_config=ApproverConfig(users=(1,)))],
        MEMBER,
        "A change request has been created and is pending approval from others.",
    ),
    (
        "approver with self-approval",
        [policy(approver_config=ApproverConfig(users=(1,)), allow_self_approve=True)],
        MEMBER,
        "A change request has been created and is pending approval.",
    ),
    (
        "conditions not matched",
        [policy(conditions={"type": "any_change", "field": "rollout_percentage"})],
        MEMBER,
        None,
    ),
]


@pytest.mark.parametrize(("case", "policies", "actor", "message"), GATE, ids=[c[0] for c in GATE])
def test_gate_decision(case: str, policies: list, actor: Actor, message: str | None) -> None:
    decision = evaluate_gate([ENABLE], policies, project_id=1, actor=actor)
    assert (decision.message if decision else None) == message


def test_two_policies_requiring_approval_conflict() -> None:
    policies = [policy(), policy("feature_flag.update")]
    with pytest.raises(PolicyConflictError) as raised:
        evaluate_gate([ENABLE, UPDATE], policies, project_id=1, actor=MEMBER)
    assert raised.value.detail == "policy_conflict"
    assert raised.value.attr == "code"
    assert len(raised.value.policy_ids) == 2


def test_one_of_two_actions_gated_is_no_conflict() -> None:
    decision = evaluate_gate([ENABLE, UPDATE], [policy("feature_flag.update")], project_id=1, actor=MEMBER)
    assert decision is not None
    assert decision.action.key == "feature_flag.update"


APPROVERS = [
    ("listed user", {"users": [5]}, Actor(user_id=5, level=1), True),
    ("unlisted user", {"users": [5]}, Actor(user_id=6, level=1), False),
    ("holds a listed level", {"roles": [8]}, Actor(user_id=6, level=8), True),
    ("levels are exact", {"roles": [8]}, Actor(user_id=6, level=15), False),
    ("no membership", {"roles": [1]}, Actor(user_id=6, level=None), False),
]


@pytest.mark.parametrize(("case", "snapshot", "actor", "expected"), APPROVERS, ids=[c[0] for c in APPROVERS])
def test_approver_set(case: str, snapshot: dict, actor: Actor, expected: bool) -> None:
    assert is_approver(snapshot, actor) is expected
