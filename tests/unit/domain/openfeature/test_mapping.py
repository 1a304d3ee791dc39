from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from flagcore.domain.flags import FeatureFlag, parse_filters
from flagcore.domain.openfeature import (
    InvalidManifestError,
    ManifestFlag,
    creation_filters,
    declared_or_inferred,
    equal_weights,
    validate_default,
)


@pytest.mark.parametrize(
    ("count", "weights"),
    [
        (1, [100]),
        (2, [50, 50]),
        (3, [34, 33, 33]),
        (6, [17, 17, 17, 17, 16, 16]),
        (7, [15, 15, 14, 14, 14, 14, 14]),
        (8, [13, 13, 13, 13, 12, 12, 12, 12]),
        (0, []),
    ],
)
def test_equal_weights_sum_to_100_with_the_remainder_first(count: int, weights: list[int]) -> None:
    assert equal_weights(count) == weights
    assert sum(weights) == (100 if count else 0)


@pytest.mark.parametrize(
    ("flag_type", "value", "ok"),
    [
        ("boolean", True, True),
        ("boolean", 1, False),
        ("integer", 1, True),
        ("integer", True, False),
        ("integer", 1.5, False),
        ("float", 1, True),
        ("float", float("inf"), False),
        ("string", "x", True),
        ("string", 3, False),
        ("object", None, True),
        ("object", [1], True),
    ],
)
def test_validate_default(flag_type: Any, value: Any, ok: bool) -> None:
    if ok:
        validate_default(flag_type, value)
    else:
        with pytest.raises(InvalidManifestError):
            validate_default(flag_type, value)


def manifest(flag_type: Any, default: Any, *variants: Any) -> ManifestFlag:
    return ManifestFlag(key="k", flag_type=flag_type, default_value=default, variants=variants)


@pytest.mark.parametrize(
    ("flag", "variants", "payloads"),
    [
        (manifest("string", "blue", "red"), [("blue", 50), ("red", 50)], {}),
        (manifest("integer", 42), [("42", 100)], {"42": "42"}),
        (manifest("float", 1), [("1.0", 100)], {"1.0": "1.0"}),
        (manifest("float", 1e20), [("1e20", 100)], {"1e20": "1e20"}),
        (
            manifest("object", {"a": 1}, [2]),
            [("default", 50), ("variant-1", 50)],
            {"default": '{"a":1}', "variant-1": "[2]"},
        ),
        (manifest("string", "x", "x"), [("x", 100)], {}),
    ],
)
def test_creation_filters_of_typed_flags(
    flag: ManifestFlag, variants: list[tuple[str, int]], payloads: dict[str, str]
) -> None:
    filters = creation_filters(flag)
    assert filters["groups"] == [{"properties": [], "rollout_percentage": 100}]
    assert [(v["key"], v["rollout_percentage"]) for v in filters["multivariate"]["variants"]] == variants
    assert filters.get("payloads", {}) == payloads
    parse_filters(filters)  # a valid PostHog filters document


@pytest.mark.parametrize(("default", "rollout"), [(True, 100), (False, 0)])
def test_a_boolean_flag_is_a_rollout_of_its_default(default: bool, rollout: int) -> None:
    assert creation_filters(manifest("boolean", default)) == {
        "groups": [{"properties": [], "rollout_percentage": rollout}]
    }


def test_a_string_that_is_no_variant_key_is_refused() -> None:
    with pytest.raises(InvalidManifestError):
        creation_filters(manifest("string", "two words"))


def stored(filters: dict[str, Any]) -> FeatureFlag:
    return FeatureFlag(
        id=1, project_id=1, key="k", filters=parse_filters(filters), created_at=datetime(2026, 1, 1, tzinfo=UTC)
    )


def multivariate(*keys: str, payloads: dict[str, str] | None = None) -> dict[str, Any]:
    variants = [{"key": k, "rollout_percentage": p} for k, p in zip(keys, equal_weights(len(keys)), strict=True)]
    return {"groups": [{}], "multivariate": {"variants": variants}, "payloads": payloads or {}}


@pytest.mark.parametrize(
    ("filters", "inferred"),
    [
        ({"groups": [{}]}, ("boolean", False)),
        (multivariate("1", "2"), ("integer", 1)),
        (multivariate("0.5", "2"), ("float", 0.5)),
        (multivariate("a", "b", payloads={"a": '{"x": 1}', "b": "[1]"}), ("object", {"x": 1})),
        (multivariate("a", "b", payloads={"a": '{"x": 1}'}), ("string", "a")),
        (multivariate("control", "test"), ("string", "control")),
    ],
)
def test_undeclared_flags_are_inferred(filters: dict[str, Any], inferred: tuple[str, Any]) -> None:
    assert declared_or_inferred(stored(filters), None) == inferred
