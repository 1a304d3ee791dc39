from __future__ import annotations

from typing import Any

import msgspec
import pytest

from flagcore.domain.errors import InvalidInputError
from flagcore.domain.flags import (
    DependencyInfo,
    InvalidFiltersError,
    merge_filters,
    normalize_payloads,
    normalize_tags,
    parse_filters,
    validate_dependencies,
    validate_filters,
    validate_key,
)


@pytest.mark.parametrize("key", ["a", "new-checkout", "UPPER_lower-123", "k" * 400])
def test_valid_keys_pass(key: str) -> None:
    assert validate_key(key) == key


@pytest.mark.parametrize(
    ("key", "code"),
    [
        ("", "invalid_key"),
        ("has space", "invalid_key"),
        ("dot.ted", "invalid_key"),
        ("ü", "invalid_key"),
        ("k" * 401, "max_length"),
    ],
)
def test_invalid_keys_fail_with_posthog_codes(key: str, code: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        validate_key(key)
    assert (info.value.code, info.value.attr) == (code, "key")


def test_invalid_input_errors_are_value_errors_for_msgspec() -> None:
    assert issubclass(InvalidFiltersError, ValueError)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"true": {"a": 1}}, {"true": '{"a":1}'}),
        ({"true": '{"a": 1}'}, {"true": '{"a": 1}'}),
        ({"true": 5}, {"true": "5"}),
        ({"true": [1, "x"]}, {"true": '[1,"x"]'}),
        ({"true": None}, {}),
    ],
)
def test_payloads_are_stored_as_json_strings(raw: dict[str, Any], expected: dict[str, str]) -> None:
    assert normalize_payloads(raw) == expected


@pytest.mark.parametrize("raw", [["x"], {"true": "{nope"}, "string"])
def test_bad_payloads_are_refused(raw: object) -> None:
    with pytest.raises(InvalidFiltersError):
        normalize_payloads(raw)


def test_tags_are_stripped_lowercased_and_deduplicated() -> None:
    assert normalize_tags([" Beta ", "beta", "", "Team-A"]) == ("beta", "team-a")


VARIANTS = {
    "variants": [
        {"key": "a", "rollout_percentage": 33.33},
        {"key": "b", "rollout_percentage": 33.33},
        {"key": "c", "rollout_percentage": 33.34},
    ]
}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"groups": []}, "Feature flags must have at least one condition set (group)."),
        ({"groups": [{}], "multivariate": {"variants": []}}, "at least one variant"),
        ({"groups": [{}], "multivariate": {"variants": [{"key": "a", "rollout_percentage": 99}]}}, "sum to 100"),
        ({"groups": [{"variant": "z"}], "multivariate": VARIANTS}, "variant override does not exist"),
        ({"groups": [{}], "multivariate": VARIANTS, "payloads": {"true": "1"}}, "must match a variant key"),
        ({"groups": [{}], "payloads": {"a": "1"}}, "must be 'true' for boolean flags"),
        (
            {"groups": [{"properties": [{"key": "x", "type": "group", "group_type_index": 0}]}]},
            "can only use person, cohort, and flag properties",
        ),
        (
            {"aggregation_group_type_index": 0, "groups": [{"properties": [{"key": "x", "type": "person"}]}]},
            "can only use group properties",
        ),
        (
            {
                "aggregation_group_type_index": 0,
                "groups": [{"properties": [{"key": "x", "type": "group", "group_type_index": 1}]}],
            },
            "can only use group properties",
        ),
        ({"groups": [{"properties": [{"key": "f", "type": "flag", "operator": "exact"}]}]}, "flag_evaluates_to"),
        ({"groups": [{"properties": [{"key": "x", "value": list(range(1001))}]}]}, "more than 1000 values"),
        ({"groups": [{"properties": [{"key": "x", "operator": "gt", "value": True}]}]}, "Invalid value for operator"),
    ],
)
def test_filter_rules_fail_with_posthog_messages(raw: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidFiltersError) as info:
        validate_filters(parse_filters(raw), is_create=True)
    assert message in info.value.detail
    assert info.value.attr == "filters"


@pytest.mark.parametrize(
    "raw",
    [
        {"groups": [{}], "multivariate": VARIANTS, "payloads": {"a": "1"}},
        {"groups": [{"properties": [{"key": "x", "operator": "gt", "value": 5}]}]},
        {"groups": [{"properties": [{"key": "d", "operator": "is_date_after", "value": "-30d"}]}]},
        {"groups": [{"properties": [{"key": "d", "operator": "is_date_before", "value": "2024-01-31T10:00:00Z"}]}]},
        {
            "groups": [
                {
                    "aggregation_group_type_index": 1,
                    "properties": [{"key": "x", "type": "group", "group_type_index": 1}],
                }
            ]
        },
        {"groups": [{}], "holdout": {"id": 3, "exclusion_percentage": 10}, "payloads": {"holdout-3": "1"}},
    ],
)
def test_valid_filters_pass(raw: dict[str, Any]) -> None:
    validate_filters(parse_filters(raw), is_create=True)


def test_tri_state_aggregation_round_trips() -> None:
    inherit = parse_filters({"groups": [{}]})
    person = parse_filters({"groups": [{"aggregation_group_type_index": None}]})
    assert "aggregation_group_type_index" not in msgspec.to_builtins(inherit)["groups"][0]
    assert msgspec.to_builtins(person)["groups"][0]["aggregation_group_type_index"] is None


def test_merge_keeps_unsent_keys_and_replaces_sent_ones() -> None:
    stored = parse_filters({"groups": [{"rollout_percentage": 20}], "payloads": {"true": "1"}})
    merged = merge_filters(stored, {"payloads": {"true": "2"}})
    assert merged.groups == stored.groups
    assert merged.payloads == {"true": "2"}
    assert merge_filters(stored, {}) == stored


def view(**flags: tuple[str, bool, set[int]]) -> dict[int, DependencyInfo]:
    return {int(fid[1:]): DependencyInfo(key=k, active=a, depends_on=frozenset(d)) for fid, (k, a, d) in flags.items()}


def flag_on(*ids: int | str) -> Any:
    props = [{"key": str(i), "type": "flag", "operator": "flag_evaluates_to", "value": True} for i in ids]
    return parse_filters({"groups": [{"properties": props}]})


def test_long_cycles_are_found_with_their_path() -> None:
    flags = view(f1=("a", True, set()), f2=("b", True, {3}), f3=("c", True, {1}))
    with pytest.raises(InvalidFiltersError) as info:
        validate_dependencies(flag_id=1, key="a", filters=flag_on(2), project_flags=flags)
    assert info.value.detail == "Circular dependency detected: a → b → c → a"


def test_diamond_dependencies_are_not_cycles() -> None:
    flags = view(f1=("a", True, set()), f2=("b", True, {4}), f3=("c", True, {4}), f4=("d", True, set()))
    validate_dependencies(flag_id=1, key="a", filters=flag_on(2, 3), project_flags=flags)


@pytest.mark.parametrize(
    ("ref", "message"),
    [("key-name", "must reference flag IDs"), ("9", "non-existent flag with ID 9"), ("2", "disabled flag 'off'")],
)
def test_dependency_references_are_checked(ref: str, message: str) -> None:
    flags = view(f1=("a", True, set()), f2=("off", False, set()))
    with pytest.raises(InvalidFiltersError) as info:
        validate_dependencies(flag_id=None, key="new", filters=flag_on(ref), project_flags=flags)
    assert message in info.value.detail


def test_enabling_a_flag_that_depends_on_a_deleted_flag_is_refused() -> None:
    from datetime import UTC, datetime  # noqa: PLC0415

    from flagcore.domain.flags import FeatureFlag, check_transition  # noqa: PLC0415

    before = FeatureFlag(id=1, project_id=1, key="a", filters=flag_on(9), active=False, created_at=datetime.now(UTC))
    after = msgspec.structs.replace(before, active=True)
    with pytest.raises(InvalidInputError, match="depends on deleted flags: ID 9"):
        check_transition(before, after, view(f1=("a", False, {9})))  # flag 9 is gone from the live view
