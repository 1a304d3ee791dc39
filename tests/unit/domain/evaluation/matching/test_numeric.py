"""``gt``/``gte``/``lt``/``lte`` (+ ``min``/``max``) and ``between``/``not_between``: numeric only."""

import pytest

from tests.unit.domain.evaluation.matching.support import matches, matches_value


@pytest.mark.parametrize(
    ("operator", "value", "prop", "expected"),
    [
        ("gt", 5, 6, True),
        ("gt", 5, 5, False),
        ("gt", 5, "100", True),  # numeric, not string, comparison
        ("gt", "5", 6.5, True),
        ("gte", 5, 5, True),
        ("gte", 5, 4.999, False),
        ("lt", 5, 4, True),
        ("lt", 5, "40", False),
        ("lte", 5, 5.0, True),
        ("lte", -1, "-1e0", True),
        ("min", 5, 5, True),
        ("min", 5, 4, False),
        ("max", 5, 5, True),
        ("max", 5, 6, False),
        ("gt", 5, "abc", False),
        ("gt", 5, True, False),
        ("gt", 5, None, False),
        ("gt", 5, " 6", False),  # Rust's parser does not trim
        ("gt", "abc", "abd", False),  # a non-numeric filter value never matches
        ("gt", 5, "inf", True),  # Rust parses inf / infinity / NaN
        ("lt", 5, "-Infinity", True),
        ("gt", 5, "NaN", False),
        ("lte", 5, "NaN", False),
        ("lt", "inf", 1e308, True),
        ("gt", [30], 40, False),  # a list filter value is not a number
        ("gt", 5, "1_000", False),
    ],
)
def test_numeric_comparisons(operator, value, prop, expected):
    assert matches_value(operator, value, prop) is expected


@pytest.mark.parametrize("operator", ["gt", "gte", "lt", "lte"])
def test_numeric_missing_key_or_null_filter_is_false(operator):
    assert matches(operator, 5, {}) is False
    assert matches_value(operator, None, 5) is False


@pytest.mark.parametrize(
    ("value", "prop", "between"),
    [
        ([1, 10], 1, True),
        ([1, 10], 10, True),
        ([1, 10], "5.5", True),
        ([1, 10], 0.999, False),
        ([1, 10], 11, False),
        (["1", "10"], 5, True),
        ([5, 5], 5, True),
    ],
)
def test_between_is_inclusive_and_not_between_is_its_complement(value, prop, between):
    assert matches_value("between", value, prop) is between
    assert matches_value("not_between", value, prop) is (not between)


@pytest.mark.parametrize("value", [[10, 1], [1], [1, 2, 3], "1,10", [1, "x"], [1, "NaN"], {"min": 1}])
def test_malformed_bounds_are_false_for_both(value):
    assert matches_value("between", value, 5) is False
    assert matches_value("not_between", value, 5) is False


@pytest.mark.parametrize("prop", ["abc", None, True, "NaN"])
def test_non_numeric_property_is_false_for_both(prop):
    assert matches_value("between", [1, 10], prop) is False
    assert matches_value("not_between", [1, 10], prop) is False


def test_missing_key_between_false_not_between_true():
    assert matches("between", [1, 10], {}) is False
    assert matches("not_between", [1, 10], {}) is True
    assert matches("not_between", [10, 1], {}) is True  # the key check comes before bound validation
