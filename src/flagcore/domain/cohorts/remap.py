"""Carrying cohorts from one project to another (copy_flags): which cohorts go, in what order, and id rewriting.

Ids are project-local, so a copied flag's cohort properties, and the cohort properties inside copied cohorts, must
name the target project's cohorts. PostHog matches cohorts by name and creates the missing ones dependencies first.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flagcore.domain.cohorts.model import Cohort
from flagcore.domain.cohorts.validation import referenced_cohorts


def flag_cohort_refs(filters: Mapping[str, Any]) -> list[int]:
    """Ids of the cohorts a flag's raw filters reference, in order of first appearance."""
    found: dict[int, None] = {}
    for group in _groups(filters):
        for prop in _properties(group):
            cohort_id = _cohort_ref(prop)
            if cohort_id is not None:
                found.setdefault(cohort_id)
    return list(found)


def dependencies_first(roots: list[int], cohorts: Mapping[int, Cohort]) -> list[Cohort]:
    """The cohorts reachable from ``roots`` through nested references, each after every cohort it references.

    Ids missing from ``cohorts`` (deleted or another project's) are skipped, as PostHog skips them; a loop (which
    writes refuse) cannot recurse forever because a cohort is visited once.
    """
    ordered: list[Cohort] = []
    visited: set[int] = set()

    def visit(cohort_id: int) -> None:
        if cohort_id in visited or cohort_id not in cohorts:
            return
        visited.add(cohort_id)
        cohort = cohorts[cohort_id]
        for child in referenced_cohorts(cohort.filters.get("properties")):
            visit(child)
        ordered.append(cohort)

    for root in roots:
        visit(root)
    return ordered


def remap_flag_filters(filters: Mapping[str, Any], mapping: Mapping[int, int]) -> dict[str, Any]:
    """A copy of a flag's raw filters whose cohort properties name ``mapping``'s ids (unmapped ids stay)."""
    copied = dict(filters)
    groups = filters.get("groups")
    if isinstance(groups, list):
        copied["groups"] = [_remap_condition(group, mapping) for group in groups]
    return copied


def remap_cohort_filters(filters: Mapping[str, Any], mapping: Mapping[int, int]) -> dict[str, Any]:
    """A copy of a cohort's filters whose nested cohort references name ``mapping``'s ids."""
    copied = dict(filters)
    if "properties" in filters:
        copied["properties"] = _remap_node(filters["properties"], mapping)
    return copied


def _remap_condition(group: Any, mapping: Mapping[int, int]) -> Any:  # noqa: ANN401 - JSON
    if not isinstance(group, dict) or not isinstance(group.get("properties"), list):
        return group
    return {**group, "properties": [_remap_leaf(prop, mapping) for prop in group["properties"]]}


def _remap_node(node: Any, mapping: Mapping[int, int]) -> Any:  # noqa: ANN401 - JSON
    if isinstance(node, dict) and isinstance(node.get("values"), list):
        return {**node, "values": [_remap_node(value, mapping) for value in node["values"]]}
    return _remap_leaf(node, mapping)


def _remap_leaf(prop: Any, mapping: Mapping[int, int]) -> Any:  # noqa: ANN401 - JSON
    cohort_id = _cohort_ref(prop)
    if cohort_id is None or cohort_id not in mapping:
        return prop
    return {**prop, "value": mapping[cohort_id]}


def _cohort_ref(prop: Any) -> int | None:  # noqa: ANN401 - JSON
    if not isinstance(prop, dict) or prop.get("type") != "cohort":
        return None
    value = prop.get("value")
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).isdigit():
        return None
    return int(value)


def _groups(filters: Mapping[str, Any]) -> list[Any]:
    groups = filters.get("groups")
    return groups if isinstance(groups, list) else []


def _properties(group: Any) -> list[Any]:  # noqa: ANN401 - JSON
    props = group.get("properties") if isinstance(group, dict) else None
    return props if isinstance(props, list) else []
