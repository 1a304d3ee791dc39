from __future__ import annotations

import pytest

from flagcore.domain.approvals import detect_actions
from tests.unit.domain.approvals.support import flag, rollout

ROLLOUT_CASES = [
    ("same percentage", rollout(50), rollout(50), []),
    ("raised", rollout(50), rollout(80), [("groups[0]", 50, 80)]),
    ("none means everyone", rollout(None), rollout(100), []),
    ("none to 30", rollout(None), rollout(30), [("groups[0]", None, 30)]),
    ("group added", rollout(50), rollout(50, 10), [("groups[1]", 0, 10)]),
    ("group removed", rollout(50, 10), rollout(50), [("groups[1]", 10, 0)]),
    (
        "variant",
        {
            "multivariate": {
                "variants": [{"key": "a", "rollout_percentage": 50}, {"key": "b", "rollout_percentage": 50}]
            }
        },
        {
            "multivariate": {
                "variants": [{"key": "a", "rollout_percentage": 70}, {"key": "b", "rollout_percentage": 30}]
            }
        },
        [("multivariate.variants[0]", 50, 70), ("multivariate.variants[1]", 50, 30)],
    ),
    (
        "super group",
        {"super_groups": [{"properties": [], "rollout_percentage": 5}]},
        {"super_groups": [{"properties": [], "rollout_percentage": 6}]},
        [("super_groups[0]", 5, 6)],
    ),
]


@pytest.mark.parametrize(("case", "before", "after", "expected"), ROLLOUT_CASES, ids=[c[0] for c in ROLLOUT_CASES])
def test_update_detected_by_rollout_changes_at_any_path(case: str, before: dict, after: dict, expected: list) -> None:
    actions = detect_actions(flag(**before), flag(**after), sent=frozenset({"filters"}))
    changes = [(c["path"], c["before"], c["after"]) for a in actions for c in a.gated_changes["rollout_percentage"]]
    assert changes == expected
    assert [a.key for a in actions] == (["feature_flag.update"] if expected else [])


STATE_CASES = [
    ("enable", False, {"active": True}, {"active"}, ["feature_flag.enable"]),
    ("enable already active", True, {"active": True}, {"active"}, []),
    ("disable", True, {"active": False}, {"active"}, ["feature_flag.disable"]),
    ("disable already inactive", False, {"active": False}, {"active"}, []),
    ("soft delete of an active flag", True, {"deleted": True}, {"deleted"}, ["feature_flag.disable"]),
    ("soft delete of an inactive flag", False, {"deleted": True}, {"deleted"}, []),
    ("name only", True, {}, {"name"}, []),
    (
        "filters without rollout change while enabling",
        False,
        {"active": True},
        {"active", "filters"},
        ["feature_flag.enable"],
    ),
]


@pytest.mark.parametrize(
    ("case", "was_active", "after", "sent", "expected"), STATE_CASES, ids=[c[0] for c in STATE_CASES]
)
def test_enable_and_disable_detection(case: str, was_active: bool, after: dict, sent: set, expected: list) -> None:
    before = flag(active=was_active)
    changed = flag(active=after.get("active", was_active), deleted=after.get("deleted", False))
    assert [a.key for a in detect_actions(before, changed, sent=frozenset(sent))] == expected


@pytest.mark.parametrize(
    ("case", "was_active", "after_active", "sent", "expected"),
    [
        ("restore of an active flag", True, True, {"deleted"}, ["feature_flag.enable"]),
        ("restore of an inactive flag", False, False, {"deleted"}, []),
        ("restore and enable together", False, True, {"deleted", "active"}, ["feature_flag.enable"]),
    ],
)
def test_a_restore_that_puts_a_flag_back_into_service_is_an_enable(
    case: str, was_active: bool, after_active: bool, sent: set, expected: list
) -> None:
    before = flag(active=was_active, deleted=True)
    after = flag(active=after_active, deleted=False)
    assert [a.key for a in detect_actions(before, after, sent=frozenset(sent))] == expected


def test_enable_and_rollout_change_are_both_detected_in_gate_order() -> None:
    actions = detect_actions(
        flag(active=False, **rollout(10)), flag(**rollout(20)), sent=frozenset({"active", "filters"})
    )
    assert [a.key for a in actions] == ["feature_flag.enable", "feature_flag.update"]
    assert actions[0].gated_changes == {"active": [{"path": "active", "before": False, "after": True}]}


def test_rollout_change_not_detected_when_filters_not_sent() -> None:
    assert detect_actions(flag(**rollout(10)), flag(**rollout(20)), sent=frozenset({"name"})) == []
