"""Cohort filters as PostHog's API accepts them (persons spec §3.3, §3.4), minus behavioural filters.

A dynamic cohort's ``filters`` is ``{"properties": <group>}``; a group is ``{"type": "AND"|"OR", "values": [...]}``
whose values are groups or leaves: ``person`` (key, operator, value unless ``is_set``/``is_not_set``) and
``cohort`` (``key: "id"``, ``value``: a cohort id). Behavioural leaves need events, which flagcore does not keep,
so they are refused.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Final

from flagcore.domain.errors import InvalidInputError

_NO_VALUE_OPERATORS: Final = frozenset({"is_set", "is_not_set"})
_GROUP_KEYS: Final = frozenset({"type", "values"})
_PERSON_KEYS: Final = frozenset({"type", "key", "operator", "value", "negation"})
_COHORT_KEYS: Final = frozenset({"type", "key", "value", "negation", "operator"})
_MAX_DEPTH: Final = 10
_MAX_LEAVES: Final = 500


class CohortFiltersError(InvalidInputError):
    def __init__(self, detail: str, *, code: str = "invalid_input") -> None:
        super().__init__(detail, code=code, attr="filters")


def validate_filters(filters: Any) -> dict[str, Any]:  # noqa: ANN401 - JSON
    """``filters`` checked; the same dict.

    Raises:
        CohortFiltersError: the wrong shape, a missing key, a behavioural leaf, or too large.
    """
    if not isinstance(filters, dict) or not isinstance(filters.get("properties"), dict):
        raise CohortFiltersError("Must contain a 'properties' key with type and values")
    leaves = _check_group(filters["properties"], 0)
    if leaves > _MAX_LEAVES:
        raise CohortFiltersError(f"A cohort may have at most {_MAX_LEAVES} filters.")
    return filters


def _check_group(group: Mapping[str, Any], depth: int) -> int:
    if depth > _MAX_DEPTH:
        raise CohortFiltersError(f"Property groups may nest at most {_MAX_DEPTH} levels.")
    if not group:
        return 0  # {} matches everyone
    if set(group) - _GROUP_KEYS or group.get("type") not in ("AND", "OR") or not isinstance(group.get("values"), list):
        raise CohortFiltersError("Must contain a 'properties' key with type and values")
    count = 0
    for value in group["values"]:
        if not isinstance(value, dict):
            raise CohortFiltersError("Property group values must be objects.")
        count += _check_group(value, depth + 1) if "values" in value else _check_leaf(value)
    return count


def _check_leaf(leaf: Mapping[str, Any]) -> int:
    kind = leaf.get("type")
    if kind == "behavioral":
        raise CohortFiltersError(
            "Behavioral filters are not supported: flagcore keeps no events to evaluate them on.",
            code="behavioral_cohort_found",
        )
    if kind == "person":
        _require(leaf, "person", ("key", "operator"))
        if leaf.get("operator") not in _NO_VALUE_OPERATORS:
            _require(leaf, "person", ("value",))
        _only(leaf, _PERSON_KEYS)
    elif kind == "cohort":
        _require(leaf, "cohort", ("key", "value"))
        _only(leaf, _COHORT_KEYS)
        if isinstance(leaf["value"], bool) or not str(leaf["value"]).isdigit():
            raise CohortFiltersError("Invalid Cohort ID in filter")
    else:
        raise CohortFiltersError(f"Unsupported filter type: {kind!r}. Use person or cohort filters.")
    return 1


def _require(leaf: Mapping[str, Any], kind: str, keys: tuple[str, ...]) -> None:
    for key in keys:
        if leaf.get(key) is None or leaf.get(key) == "":
            raise CohortFiltersError(f"Missing required keys for {kind} filter: {key}")


def _only(leaf: Mapping[str, Any], allowed: frozenset[str]) -> None:
    extra = sorted(set(leaf) - allowed)
    if extra:
        raise CohortFiltersError(f"Unknown keys in {leaf.get('type')} filter: {', '.join(extra)}")


def referenced_cohorts(group: Any) -> Iterator[int]:  # noqa: ANN401 - JSON
    """Ids of the cohorts a property group references (directly)."""
    if not isinstance(group, dict):
        return
    values = group.get("values")
    if isinstance(values, list):
        for value in values:
            yield from referenced_cohorts(value)
    elif group.get("type") == "cohort" and str(group.get("value", "")).isdigit():
        yield int(group["value"])


def check_references(cohort_id: int | None, filters: Mapping[str, Any], others: Mapping[int, Any]) -> None:
    """Every referenced cohort exists, and following references never comes back to ``cohort_id``.

    Args:
        cohort_id: the cohort being written (None when it is new: it cannot be in a loop yet).
        filters: its filters.
        others: the project's live cohorts' filters, by id.

    Raises:
        CohortFiltersError: an unknown id ("Invalid Cohort ID in filter") or a loop.
    """
    todo = list(referenced_cohorts(filters.get("properties")))
    seen: set[int] = set()
    while todo:
        current = todo.pop()
        if current == cohort_id:
            raise CohortFiltersError("Cohorts cannot reference other cohorts in a loop.")
        if current in seen:
            continue
        seen.add(current)
        if current not in others:
            raise CohortFiltersError("Invalid Cohort ID in filter")
        todo.extend(referenced_cohorts((others[current] or {}).get("properties")))
