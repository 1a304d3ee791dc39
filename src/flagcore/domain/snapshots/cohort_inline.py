"""The feed without cohorts: a flag naming exactly one cohort gets it inlined as person conditions when it can.

PostHog's local-evaluation serializer does this when the SDK does not ask for cohorts (management spec §6.5,
``transform_cohort_filters_for_easy_evaluation``), so older SDKs that know no cohorts can still evaluate the flag:

- the flag's cohorts, with every cohort they reference (live ones only), must be exactly one;
- no condition may pin a variant, and a condition naming the cohort must have no other property;
- the cohort must be dynamic, non-empty, person properties only, without negation;
- its group, once single-child levels are collapsed, must read as an OR of ANDs: one property, an AND of
  properties (one condition), an OR of properties (one condition each), or an OR of AND groups / one-property
  groups (one condition each).

Conditions without the cohort stay as they are, in order; the cohort's conditions follow them, each with the
rollout percentage of the flag's last condition (PostHog's behaviour). Anything else leaves the flag unchanged.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from typing import Any

_Node = dict[str, Any]


def inline_single_cohort(
    filters: Mapping[str, Any], cohorts: Mapping[str, Any], static_cohort_ids: Collection[int]
) -> dict[str, Any]:
    """``filters`` with its one cohort inlined as conditions, or unchanged (a copy either way).

    Args:
        filters: the flag's served filters (``groups`` of conditions).
        cohorts: the live dynamic cohorts, id (string) to property group.
        static_cohort_ids: the live static cohorts.
    """
    result = dict(filters)
    groups = filters.get("groups")
    if not isinstance(groups, list):
        return result
    expanded = _expanded(groups, cohorts, frozenset(static_cohort_ids))
    if expanded is not None:
        result["groups"] = expanded
    return result


def _expanded(groups: list[Any], cohorts: Mapping[str, Any], statics: frozenset[int]) -> list[Any] | None:
    if len(_flag_cohort_ids(groups, cohorts, statics)) != 1:
        return None
    kept: list[Any] = []
    cohort: Any = None
    rollout: Any = None
    for condition in groups:
        if not isinstance(condition, dict) or condition.get("variant"):
            return None
        props = condition.get("properties") or []
        rollout = condition.get("rollout_percentage")
        cohort_props = [p for p in props if isinstance(p, dict) and p.get("type") == "cohort"]
        if not cohort_props:
            kept.append(condition)
            continue
        if len(props) > 1:
            return None
        cohort_id = _cohort_id(cohort_props[0].get("value"))
        if cohort_id is None or str(cohort_id) not in cohorts:
            return None  # missing, deleted or static: nothing to inline
        cohort = cohorts[str(cohort_id)]
    if not isinstance(cohort, dict):
        return None
    leaves = list(_leaves(cohort))
    if not leaves or any(leaf.get("type") != "person" or leaf.get("negation") for leaf in leaves):
        return None
    inlined = _as_conditions(_collapse(cohort), rollout)
    return None if inlined is None else kept + inlined


def _as_conditions(target: Any, rollout: Any) -> list[_Node] | None:  # noqa: ANN401 - JSON
    """The cohort as an OR of conditions, or None if it does not read as one."""
    if not _is_group(target):
        return [_condition([target], rollout)]
    values = target["values"]
    if all(not _is_group(v) for v in values):
        if target.get("type") == "AND":
            return [_condition(values, rollout)]
        return [_condition([v], rollout) for v in values]
    if target.get("type") == "AND" or not all(_is_group(v) for v in values):
        return None  # an AND of ORs (or a mix) is not expressible without rewriting it
    conditions: list[_Node] = []
    for group in values:
        inner = group["values"]
        if not inner or any(_is_group(v) for v in inner) or (group.get("type") == "OR" and len(inner) > 1):
            return None
        conditions.append(_condition(inner, rollout))
    return conditions


def _condition(properties: list[Any], rollout: Any) -> _Node:  # noqa: ANN401 - JSON
    return {"properties": [dict(p) for p in properties], "rollout_percentage": rollout}


def _collapse(node: Any, *, skip: bool = False) -> Any:  # noqa: ANN401 - JSON
    """PostHog's ``clear_excess_levels``: a single-child group becomes its child.

    Except directly under a group of several values: those keep their own level (their children are collapsed).
    """
    if not _is_group(node):
        return node
    values = node["values"]
    if len(values) == 1:
        if not skip:
            return _collapse(values[0])
        return {**node, "values": [_collapse(values[0])]}
    return {**node, "values": [_collapse(v, skip=True) for v in values]}


def _is_group(node: Any) -> bool:  # noqa: ANN401 - JSON
    return isinstance(node, dict) and isinstance(node.get("values"), list)


def _leaves(node: Any) -> Iterator[_Node]:  # noqa: ANN401 - JSON
    if _is_group(node):
        for value in node["values"]:
            yield from _leaves(value)
    elif isinstance(node, dict):
        yield node


def _cohort_id(value: Any) -> int | None:  # noqa: ANN401 - JSON
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).strip().isdigit():
        return None
    return int(str(value).strip()) or None


def _flag_cohort_ids(groups: list[Any], cohorts: Mapping[str, Any], statics: frozenset[int]) -> set[int]:
    """The live cohorts the flag names, with every live cohort they reference (PostHog's ``get_cohort_ids``)."""
    found: set[int] = set()
    todo = [
        cohort_id
        for condition in groups
        if isinstance(condition, dict)
        for prop in condition.get("properties") or []
        if isinstance(prop, dict) and prop.get("type") == "cohort"
        if (cohort_id := _cohort_id(prop.get("value"))) is not None
    ]
    while todo:
        cohort_id = todo.pop()
        if cohort_id in found or (str(cohort_id) not in cohorts and cohort_id not in statics):
            continue
        found.add(cohort_id)
        todo.extend(
            nested
            for leaf in _leaves(cohorts.get(str(cohort_id)))
            if leaf.get("type") == "cohort" and (nested := _cohort_id(leaf.get("value"))) is not None
        )
    return found
