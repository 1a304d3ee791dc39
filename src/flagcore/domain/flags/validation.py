"""PostHog's flag validation rules (management spec §3.2, with the stricter §13 rules where they exist).

All functions are pure. Checks that need other flags (dependencies) take a read-only view of the project's flags.
Messages and codes are PostHog's, so clients that match on them keep working.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Final

import msgspec

from flagcore.domain.errors import InvalidInputError
from flagcore.domain.flags.errors import InvalidFiltersError
from flagcore.domain.flags.limits import check_filter_limits, check_payload
from flagcore.domain.flags.model import ConditionGroup, Filters, PropertyFilter
from flagcore.domain.flags.values import (
    DATE_OPERATORS,
    FLAG_KEY_MAX_LENGTH,
    FLAG_KEY_PATTERN,
    MAX_LIST_VALUES,
    NUMERIC_VALUE_OPERATORS,
    OPERATORS,
    STRING_VALUE_OPERATORS,
)
from flagcore.domain.ids import parse_id

_KEY_RE: Final = re.compile(FLAG_KEY_PATTERN)
_PERSON_FLAG_TYPES: Final = frozenset({"person", "cohort", "flag", "person_metadata"})


class DependencyInfo(msgspec.Struct, frozen=True):
    """What dependency checks need to know about another flag of the project."""

    key: str
    active: bool
    depends_on: frozenset[int]


def validate_key(key: str) -> str:
    """Check a flag key against PostHog's rules and return it.

    Raises:
        InvalidInputError: too long (``max_length``) or bad characters (``invalid_key``), attr ``key``.
    """
    if len(key) > FLAG_KEY_MAX_LENGTH:
        raise InvalidInputError(
            f"Ensure this field has no more than {FLAG_KEY_MAX_LENGTH} characters.", code="max_length", attr="key"
        )
    if not _KEY_RE.match(key):
        raise InvalidInputError(
            "Only letters, numbers, hyphens (-) & underscores (_) are allowed.", code="invalid_key", attr="key"
        )
    return key


def normalize_tags(tags: Iterable[str]) -> tuple[str, ...]:
    """Strip, lowercase and de-duplicate tags, keeping first-seen order (PostHog's ``tagify``)."""
    seen: dict[str, None] = {}
    for tag in tags:
        cleaned = tag.strip().lower()
        if cleaned:
            seen.setdefault(cleaned, None)
    return tuple(seen)


def validate_evaluation_tags(tags: tuple[str, ...], evaluation_tags: tuple[str, ...]) -> None:
    """Evaluation tags must be a subset of the flag's tags."""
    missing = [tag for tag in evaluation_tags if tag not in tags]
    if missing:
        raise InvalidInputError(
            f"Evaluation tags must be a subset of tags. Invalid evaluation tags: {', '.join(missing)}"
        )


def normalize_payloads(raw: object) -> dict[str, str]:
    """Turn request payloads into JSON-encoded strings, as PostHog stores them.

    A dict is encoded; a string must already be JSON; any other JSON value is encoded. Each is checked against
    the payload limits (size, nesting) first.
    """
    if not isinstance(raw, Mapping):
        raise InvalidFiltersError("Payloads must be passed as a dictionary")
    out: dict[str, str] = {}
    for key, value in raw.items():
        if value is None:
            continue
        if isinstance(value, str):
            check_payload(value)
            try:
                msgspec.json.decode(value)
            except msgspec.DecodeError:
                raise InvalidFiltersError("Payload value is not valid JSON") from None
            out[str(key)] = value
        else:
            out[str(key)] = check_payload(msgspec.json.encode(value).decode())
    return out


def validate_filters(filters: Filters, *, is_create: bool) -> None:
    """Check the single-flag rules of ``filters`` (everything except dependencies and cohorts).

    Raises:
        InvalidFiltersError: the first broken rule, with PostHog's message.
    """
    check_filter_limits(filters)  # counts and size first: cheap, and the rules below walk every group
    if is_create and not filters.groups:
        raise InvalidFiltersError("Feature flags must have at least one condition set (group).")
    _validate_variants(filters)
    _validate_payload_keys(filters)
    for group in filters.groups:
        _validate_group(group, filters)
    for group in filters.super_groups or ():
        for prop in group.properties:
            _validate_property(prop)


def _validate_variants(filters: Filters) -> None:
    if filters.multivariate is None:
        return
    variants = filters.multivariate.variants
    if not variants:
        raise InvalidFiltersError("Invalid variant definitions: Multivariate flags must have at least one variant.")
    keys = [v.key for v in variants]
    if len(set(keys)) != len(keys):
        raise InvalidFiltersError("Invalid variant definitions: Variant keys must be unique.")
    # Compare in hundredths so that e.g. 33.33 + 33.33 + 33.34 sums to exactly 100.
    if round(sum(v.rollout_percentage for v in variants) * 100) != 100 * 100:
        raise InvalidFiltersError("Invalid variant definitions: Variant rollout percentages must sum to 100.")


def _validate_payload_keys(filters: Filters) -> None:
    keys = set(filters.payloads)
    if filters.holdout is not None:
        keys.discard(f"holdout-{filters.holdout.id}")
    if filters.variant_keys:
        if not keys <= set(filters.variant_keys):
            raise InvalidFiltersError("Payload keys must match a variant key for multivariate flags")
    elif not keys <= {"true"}:
        raise InvalidFiltersError("Payload keys must be 'true' for boolean flags")


def _validate_group(group: ConditionGroup, filters: Filters) -> None:
    if group.variant is not None and group.variant not in filters.variant_keys:
        raise InvalidFiltersError("Filters are not valid (variant override does not exist)")
    aggregation = (
        filters.aggregation_group_type_index
        if isinstance(group.aggregation_group_type_index, msgspec.UnsetType)
        else group.aggregation_group_type_index
    )
    for prop in group.properties:
        if aggregation is None and prop.type not in _PERSON_FLAG_TYPES:
            raise InvalidFiltersError("Filters are not valid (can only use person, cohort, and flag properties)")
        if aggregation is not None and (prop.type != "group" or prop.group_type_index != aggregation):
            raise InvalidFiltersError("Filters are not valid (can only use group properties)")
        _validate_property(prop)


def _validate_property(prop: PropertyFilter) -> None:
    operator = prop.operator or "exact"
    if operator not in OPERATORS:
        raise InvalidFiltersError(f"Invalid operator: {operator}", code="invalid_operator")
    if prop.type == "flag":
        if operator != "flag_evaluates_to":
            raise InvalidFiltersError("Flag properties must use the 'flag_evaluates_to' operator")
        return
    if operator in {"in", "not_in"} and prop.type != "cohort":
        raise InvalidFiltersError(
            f"Invalid operator: {operator} is only allowed for cohort properties", code="invalid_operator"
        )
    if isinstance(prop.value, list) and len(prop.value) > MAX_LIST_VALUES:
        raise InvalidFiltersError(
            f"Property group expressions of type {prop.key} cannot contain more than {MAX_LIST_VALUES} values."
        )
    if operator in STRING_VALUE_OPERATORS and not isinstance(prop.value, str):
        raise InvalidFiltersError(f"Invalid value for operator {operator}: {prop.value}", code="invalid_value")
    if operator in NUMERIC_VALUE_OPERATORS and (
        isinstance(prop.value, bool) or not isinstance(prop.value, str | int | float)
    ):
        raise InvalidFiltersError(f"Invalid value for operator {operator}: {prop.value}", code="invalid_value")
    if operator in DATE_OPERATORS and not _is_date_value(prop.value):
        raise InvalidFiltersError(f"Invalid date value: {prop.value}", code="invalid_date")


_RELATIVE_DATE_RE: Final = re.compile(r"^-?\d+[hdwmy]$")
_ABSOLUTE_DATE_RE: Final = re.compile(
    r"^\d{4}(-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2}| UTC)?)?$"
)


def _is_date_value(value: object) -> bool:
    return isinstance(value, str) and bool(_RELATIVE_DATE_RE.match(value) or _ABSOLUTE_DATE_RE.match(value))


def flag_dependency_ids(filters: Filters) -> frozenset[int]:
    """Ids of the flags that ``filters`` depends on (non-integer references are reported by validation)."""
    ids: set[int] = set()
    for group in filters.groups:
        for prop in group.properties:
            if prop.type == "flag" and _as_flag_id(prop.key) is not None:
                ids.add(int(prop.key))
    return frozenset(ids)


def cohort_ids(filters: Filters) -> frozenset[int]:
    """Ids of the cohorts that ``filters`` references."""
    return frozenset(
        int(prop.value)
        for group in filters.groups
        for prop in group.properties
        if prop.type == "cohort" and isinstance(prop.value, int | str) and parse_id(str(prop.value)) is not None
    )


def _as_flag_id(key: str) -> int | None:
    return parse_id(key)
