from __future__ import annotations

from typing import Any

import pytest

from flagcore.domain.approvals import conditions_match


def rollout(before: float | None, after: float | None) -> dict[str, list[dict[str, Any]]]:
    return {"rollout_percentage": [{"path": "groups[0]", "before": before, "after": after}]}


CASES: list[tuple[str, Any, dict[str, Any], bool]] = [
    ("empty gates everything", {}, rollout(10, 20), True),
    (
        "before_after > matches",
        {"type": "before_after", "field": "rollout_percentage", "operator": ">", "value": 50},
        rollout(10, 60),
        True,
    ),
    (
        "before_after > misses",
        {"type": "before_after", "field": "rollout_percentage", "operator": ">", "value": 50},
        rollout(10, 40),
        False,
    ),
    (
        "before_after >= boundary",
        {"type": "before_after", "field": "rollout_percentage", "operator": ">=", "value": 40},
        rollout(10, 40),
        True,
    ),
    (
        "before_after <",
        {"type": "before_after", "field": "rollout_percentage", "operator": "<", "value": 5},
        rollout(10, 1),
        True,
    ),
    (
        "before_after <=",
        {"type": "before_after", "field": "rollout_percentage", "operator": "<=", "value": 0},
        rollout(10, 1),
        False,
    ),
    (
        "before_after ==",
        {"type": "before_after", "field": "rollout_percentage", "operator": "==", "value": 100},
        rollout(10, None),
        True,
    ),
    (
        "before_after !=",
        {"type": "before_after", "field": "rollout_percentage", "operator": "!=", "value": 100},
        rollout(10, 100),
        False,
    ),
    (
        "change_amount up",
        {"type": "change_amount", "field": "rollout_percentage", "operator": ">", "value": 20},
        rollout(10, 40),
        True,
    ),
    (
        "change_amount small",
        {"type": "change_amount", "field": "rollout_percentage", "operator": ">", "value": 20},
        rollout(10, 25),
        False,
    ),
    (
        "change_amount down",
        {"type": "change_amount", "field": "rollout_percentage", "operator": "<", "value": 0},
        rollout(50, 25),
        True,
    ),
    ("any_change on the field", {"type": "any_change", "field": "rollout_percentage"}, rollout(1, 2), True),
    ("any_change on another field", {"type": "any_change", "field": "active"}, rollout(1, 2), False),
    (
        "condition on an unchanged field",
        {"type": "before_after", "field": "active", "operator": "==", "value": 1},
        rollout(1, 2),
        False,
    ),
    ("unknown type matches", {"type": "weekday_only"}, rollout(1, 2), True),
    (
        "missing operator matches",
        {"type": "before_after", "field": "rollout_percentage", "value": 50},
        rollout(1, 2),
        True,
    ),
    (
        "unknown operator matches",
        {"type": "before_after", "field": "rollout_percentage", "operator": "~", "value": 50},
        rollout(1, 2),
        True,
    ),
    (
        "non-numeric value matches",
        {"type": "change_amount", "field": "rollout_percentage", "operator": ">", "value": "x"},
        rollout(1, 2),
        True,
    ),
    ("missing field matches", {"type": "change_amount", "operator": ">", "value": 1}, rollout(1, 2), True),
    (
        "list: any matches",
        [{"type": "any_change", "field": "active"}, {"type": "any_change", "field": "rollout_percentage"}],
        rollout(1, 2),
        True,
    ),
    ("list: none matches", [{"type": "any_change", "field": "active"}], rollout(1, 2), False),
    (
        "several paths: one is enough",
        {"type": "before_after", "field": "rollout_percentage", "operator": ">", "value": 50},
        {
            "rollout_percentage": [
                {"path": "groups[0]", "before": 1, "after": 2},
                {"path": "groups[1]", "before": 1, "after": 90},
            ]
        },
        True,
    ),
]


@pytest.mark.parametrize(("case", "conditions", "changes", "expected"), CASES, ids=[c[0] for c in CASES])
def test_conditions(case: str, conditions: Any, changes: dict[str, Any], expected: bool) -> None:
    assert conditions_match(conditions, changes) is expected
