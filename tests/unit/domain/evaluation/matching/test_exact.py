"""``exact`` / ``is_not``: the truth table of property_matching_version 1 and 2, lists, case, missing keys."""

import pytest

from tests.unit.domain.evaluation.matching.support import context, load_vectors, matches, matches_value

_TABLE = load_vectors("python_exact_matching_version_rows.json")
_ROWS = [pytest.param(*row, id=f"row{i}") for i, row in enumerate(_TABLE["rows"])]


def test_truth_table_has_every_row():
    assert len(_ROWS) == 24


@pytest.mark.parametrize(("filter_value", "prop", "v1", "v2"), _ROWS)
def test_exact_truth_table_version_1(filter_value, prop, v1, v2):
    # The key is present in every row, so the Python SDK's expectations are the server's as well.
    assert matches_value("exact", filter_value, prop, ctx=context(version=1)) is v1
    assert matches_value("is_not", filter_value, prop, ctx=context(version=1)) is (not v1)


@pytest.mark.parametrize(("filter_value", "prop", "v1", "v2"), _ROWS)
def test_exact_truth_table_version_2(filter_value, prop, v1, v2):
    assert matches_value("exact", filter_value, prop, ctx=context(version=2)) is v2
    assert matches_value("is_not", filter_value, prop, ctx=context(version=2)) is (not v2)


@pytest.mark.parametrize(
    ("filter_value", "prop", "expected"),
    [
        ("value", "value", True),
        ("value", "VALUE", True),
        ("value", "value2", False),
        ("value", "", False),
        ("value", None, False),
        (["US", "CA", "Uk"], "uk", True),
        (["US", "CA", "Uk"], "de", False),
        ([], "us", False),
        (5, "5", True),
        ("5", 5, True),
        (5, 5.0, False),
        ("5.0", 5.0, True),
        (None, None, False),
        ("null", None, True),
        ({"a": 1}, '{"a":1}', True),
        (True, "TRUE", True),
        (True, "yes", False),
        (False, "banana", True),
        ("Straße", "STRASSE", False),
    ],
)
def test_exact_on_present_values(filter_value, prop, expected):
    assert matches_value("exact", filter_value, prop) is expected


def test_default_operator_is_exact():
    assert matches_value(None, "x", "X") is True
    assert matches_value(None, "x", "y") is False


@pytest.mark.parametrize("operator", ["exact", "is_not"])
def test_null_filter_value_is_false_even_for_is_not(operator):
    assert matches_value(operator, None, "anything") is False
    assert matches(operator, None, {}) is False


def test_missing_key_exact_false_is_not_true():
    # Server column (the Python SDK would be inconclusive here).
    assert matches("exact", "value", {"other": "value"}) is False
    assert matches("is_not", "value", {"other": "value"}) is True
    assert matches("is_not", ["a", "b"], {}) is True


@pytest.mark.parametrize("prop", ["value2", "", None, 0])
def test_is_not_on_present_values(prop):
    assert matches_value("is_not", "value", prop) is True
    assert matches_value("is_not", ["value1", "value2", "value3"], prop) is (prop != "value2")
