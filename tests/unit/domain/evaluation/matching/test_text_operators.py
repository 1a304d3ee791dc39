"""Substring, prefix/suffix and multi-substring operators (ASCII-only case folding)."""

import pytest

from tests.unit.domain.evaluation.matching.support import matches, matches_value


@pytest.mark.parametrize(
    ("operator", "value", "prop", "expected"),
    [
        ("icontains", "valUe", "343tfvalue5", True),
        ("icontains", "valUe", "vaLue4", True),
        ("icontains", "valUe", "Alakazam", False),
        ("icontains", "valUe", 123, False),
        ("icontains", "3", 323, True),
        ("icontains", "3", "three", False),
        ("icontains", "true", True, True),
        ("icontains", "null", None, True),
        ("icontains", "É", "é", False),  # ASCII-only lowercasing: É and é stay different
        ("icontains", "CAFÉ", "xcafÉx", True),
        ("icontains", "", "anything", True),
        ("not_icontains", "valUe", "VALUE", False),
        ("not_icontains", "valUe", "other", True),
        ("starts_with", "Val", "value", True),
        ("starts_with", "Val", "a value", False),
        ("not_starts_with", "Val", "a value", True),
        ("not_starts_with", "Val", "VALUE", False),
        ("ends_with", ".COM", "me@x.com", True),
        ("ends_with", ".com", "me@x.org", False),
        ("not_ends_with", ".com", "me@x.org", True),
        ("not_ends_with", ".com", "ME@X.COM", False),
        ("ends_with", "5", 1.5, True),
        ("icontains_multi", ["foo", "BAR"], "xbarx", True),
        ("icontains_multi", ["foo", "bar"], "baz", False),
        ("icontains_multi", "foo", "xFOOx", True),
        ("icontains_multi", [], "anything", False),
        ("not_icontains_multi", ["foo", "bar"], "baz", True),
        ("not_icontains_multi", ["foo", "bar"], "FOO", False),
    ],
)
def test_text_operators(operator, value, prop, expected):
    assert matches_value(operator, value, prop) is expected


@pytest.mark.parametrize(
    ("operator", "expected"),
    [
        ("icontains", False),
        ("not_icontains", True),
        ("starts_with", False),
        ("not_starts_with", True),
        ("ends_with", False),
        ("not_ends_with", True),
        ("icontains_multi", False),
        ("not_icontains_multi", True),
    ],
)
def test_missing_key_positive_false_negative_true(operator, expected):
    assert matches(operator, "x", {"other": "x"}) is expected


@pytest.mark.parametrize("operator", ["icontains", "not_icontains", "starts_with", "not_ends_with"])
def test_null_filter_value_is_false(operator):
    assert matches_value(operator, None, "x") is False
    assert matches(operator, None, {}) is False
