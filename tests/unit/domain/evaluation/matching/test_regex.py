"""``regex`` / ``not_regex``: server semantics and the cost bound that keeps evaluation from hanging."""

import time

import pytest

from flagcore.domain.evaluation.matching.regex import compile_safe_regex
from tests.unit.domain.evaluation.matching.support import matches, matches_value


@pytest.mark.parametrize(
    ("pattern", "prop", "expected"),
    [
        (r"^a.c$", "abc", True),
        (r"b", "abc", True),  # unanchored search
        (r"^b", "abc", False),
        (r"^a$", "a\n", False),  # `$` is the very end of the text, as in Rust
        (r"(?m)^a$", "x\na\ny", True),
        (r"a\z", "a", True),
        (r"", "anything", True),
        (r"^\d+$", 123, True),  # non-strings are matched through their text
        (r"^true$", True, True),
        (r"^null$", None, True),
        (r"^[0-9]+\.[0-9]+$", 1.5, True),
        (r"(?i)^ABC$", "abc", True),
        (r"^ABC$", "abc", False),
        (r"(a|b)+c", "ababc", True),
    ],
)
def test_regex_and_not_regex_are_complements_for_valid_patterns(pattern, prop, expected):
    assert matches_value("regex", pattern, prop) is expected
    assert matches_value("not_regex", pattern, prop) is (not expected)


@pytest.mark.parametrize("pattern", ["(", "[a-", r"a\Z", "a{2,1}", "[[:alpha:]]+"])
def test_invalid_pattern_is_false_for_both_operators(pattern):
    assert matches_value("regex", pattern, "a") is False
    assert matches_value("not_regex", pattern, "a") is False


def test_missing_key_regex_false_not_regex_true_even_for_invalid_patterns():
    assert matches("regex", "a", {}) is False
    assert matches("not_regex", "a", {}) is True
    assert matches("not_regex", "(", {}) is True


def test_null_filter_value_is_false():
    assert matches_value("regex", None, "null") is False
    assert matches_value("not_regex", None, "x") is False


@pytest.mark.parametrize("pattern", [r"(a+)+$", r"(a*)*b", r"(a|aa)+$", r"(\w+\.?)+$", r"(x+x+)+y", r"(a?)+$"])
def test_exponential_patterns_are_refused(pattern):
    assert compile_safe_regex(pattern) is None


def test_catastrophic_pattern_finishes_fast_and_is_false():
    started = time.perf_counter()
    assert matches_value("regex", r"(a+)+$", "a" * 50 + "b") is False
    assert matches_value("not_regex", r"(a+)+$", "a" * 50 + "b") is False
    assert time.perf_counter() - started < 0.5


@pytest.mark.parametrize("pattern", [r"(a|b)+", r"(ab)+c", r"^.*@example\.com$", r"\d{1,3}\.\d{1,3}", r"[a-z]+"])
def test_common_safe_patterns_are_accepted(pattern):
    assert compile_safe_regex(pattern) is not None


def test_polynomial_patterns_get_a_length_cap():
    linear = compile_safe_regex(r"^foo")
    cubic = compile_safe_regex(r".*a.*b.*c")
    assert linear is not None
    assert cubic is not None
    assert cubic.max_length < 100 < linear.max_length
    assert cubic.search("xaybzc") is True
    assert cubic.search("a" * (cubic.max_length + 1)) is None


def test_text_longer_than_the_cap_is_false_for_both_operators():
    pattern = ".*a.*b.*c.*d.*e"
    safe = compile_safe_regex(pattern)
    assert safe is not None
    long_text = "abcde" + "x" * safe.max_length
    started = time.perf_counter()
    assert matches_value("regex", pattern, long_text) is False
    assert matches_value("not_regex", pattern, long_text) is False
    assert matches_value("regex", pattern, "abcde") is True
    assert time.perf_counter() - started < 0.5
