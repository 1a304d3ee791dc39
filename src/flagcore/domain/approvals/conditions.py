"""A policy's conditions: which changes of an action need approval.

PostHog's ``before_after``, ``change_amount`` and ``any_change``. An empty condition gates every change; an
unknown or incomplete one counts as a match, so that a typo in a policy errs on the side of asking for approval.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any, Final

_OPERATORS: Final[dict[str, Callable[[Any, Any], bool]]] = {
    ">": operator.gt,
    "<": operator.lt,
    ">=": operator.ge,
    "<=": operator.le,
    "==": operator.eq,
    "!=": operator.ne,
}


def conditions_match(conditions: Any, gated_changes: dict[str, list[dict[str, Any]]]) -> bool:  # noqa: ANN401
    """Whether the policy's ``conditions`` (one condition object, a list of them, or empty) match the changes.

    A list matches when any of its conditions does.
    """
    if not conditions:
        return True
    if isinstance(conditions, list):
        return any(condition_matches(c, gated_changes) for c in conditions)
    return condition_matches(conditions, gated_changes)


def condition_matches(condition: Any, gated_changes: dict[str, list[dict[str, Any]]]) -> bool:  # noqa: ANN401
    """One condition against the changes, per field path."""
    if not isinstance(condition, dict):
        return True
    kind, field = condition.get("type"), condition.get("field")
    if kind == "any_change":
        return not isinstance(field, str) or bool(gated_changes.get(field))
    if kind not in ("before_after", "change_amount"):
        return True
    compare = _OPERATORS.get(condition.get("operator"))  # type: ignore[arg-type]
    value = condition.get("value")
    if not isinstance(field, str) or compare is None or not _is_number(value):
        return True
    changes = gated_changes.get(field, [])
    if kind == "before_after":
        return any(compare(_number(change["after"]), value) for change in changes)
    return any(compare(_number(change["after"]) - _number(change["before"]), value) for change in changes)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _number(value: object) -> float:
    # A missing rollout percentage means everyone (100); a boolean field compares as 0 / 1.
    if value is None:
        return 100.0
    return float(value) if isinstance(value, int | float) else 0.0
