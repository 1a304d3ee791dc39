"""Semver operators with the server's normalisation (``v`` prefix, padding, leading zeros, pre-releases)."""

import pytest

from flagcore.domain.evaluation.matching.semver import parse_version
from tests.unit.domain.evaluation.matching.support import matches, matches_value


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("1.2.3", (1, 2, 3)),
        ("v1.2.3", (1, 2, 3)),
        ("  1.2.3 ", (1, 2, 3)),
        ("3.08", (3, 8, 0)),
        ("3", (3, 0, 0)),
        ("0", (0, 0, 0)),
        ("01.002.0003", (1, 2, 3)),
        ("1.2.3-beta.1+build.7", (1, 2, 3)),
    ],
)
def test_versions_are_normalised(text, parts):
    version = parse_version(text)
    assert version is not None
    assert (version.major, version.minor, version.patch) == parts


@pytest.mark.parametrize(
    "text", ["V1.2.3", "1.2.3.4", "1..2", "a.b.c", "", "1.2.3-", "1.2.3-01", "1.2.3+", " v1.2.3", True]
)
def test_unparseable_versions(text):
    assert parse_version(text) is None


@pytest.mark.parametrize(
    ("operator", "value", "prop", "expected"),
    [
        ("semver_eq", "1.2.3", "v1.2.3", True),
        ("semver_eq", "1.2", "1.2.0", True),
        ("semver_eq", "3.8.0", "3.08", True),
        ("semver_eq", "1.2.3", "1.2.3-beta", False),
        ("semver_eq", "1.0.0", "1.0.0+build", False),  # the semver crate compares build metadata last
        ("semver_neq", "1.2.3", "1.2.4", True),
        ("semver_neq", "1.2.3", "1.2.3", False),
        ("semver_gt", "1.2.3", "1.10.0", True),
        ("semver_gt", "1.2.3", "1.2.3", False),
        ("semver_gt", "1.0.0", "1.0.0+build", True),
        ("semver_gte", "1.2.3", "1.2.3", True),
        ("semver_lt", "1.0.0", "1.0.0-rc.1", True),  # a pre-release sorts before its release
        ("semver_lt", "1.0.0-alpha.beta", "1.0.0-alpha.1", True),  # numeric identifiers sort first
        ("semver_lt", "1.0.0-alpha.1", "1.0.0-alpha", True),  # a shorter identifier list sorts first
        ("semver_lte", "2.0.0", "2.0.0", True),
        ("semver_gt", "1.2.3", "not-a-version", False),
        ("semver_gt", "1.2.3", None, False),
        ("semver_gt", "garbage", "9.9.9", False),  # an unparseable filter never matches
        ("semver_eq", "2", 2, True),  # numbers are read through their text
        ("semver_eq", "1.5.0", 1.5, True),
    ],
)
def test_semver_comparisons(operator, value, prop, expected):
    assert matches_value(operator, value, prop) is expected


@pytest.mark.parametrize(
    ("operator", "value", "prop", "expected"),
    [
        ("semver_tilde", "1.2.3", "1.2.3", True),
        ("semver_tilde", "1.2.3", "1.2.99", True),
        ("semver_tilde", "1.2.3", "1.3.0", False),
        ("semver_tilde", "1.2.3", "1.2.2", False),
        ("semver_tilde", "1.2", "1.2.5", True),
        ("semver_tilde", "1", "1.1.0", False),  # padded to ~1.0.0 before parsing
        ("semver_tilde", "1.2.3", "1.2.4-beta", False),  # pre-releases only match a same-version pre-release req
        ("semver_tilde", "1.2.3-beta", "1.2.3-rc", True),
        ("semver_tilde", "1.2.3-beta", "1.2.3-alpha", False),
        ("semver_caret", "1.2.3", "1.9.9", True),
        ("semver_caret", "1.2.3", "2.0.0", False),
        ("semver_caret", "1.2.3", "1.2.2", False),
        ("semver_caret", "0.2.3", "0.2.9", True),
        ("semver_caret", "0.2.3", "0.3.0", False),
        ("semver_caret", "0.0.3", "0.0.3", True),
        ("semver_caret", "0.0.3", "0.0.4", False),
        ("semver_caret", "v1.2.3", "1.5.0+build", True),
        ("semver_wildcard", "1.*", "1.99.0", True),
        ("semver_wildcard", "1.*", "2.0.0", False),
        ("semver_wildcard", "1.2.*", "1.2.7", True),
        ("semver_wildcard", "1.2.*", "1.3.0", False),
        ("semver_wildcard", "1.*.*", "1.4.2", True),
        ("semver_wildcard", "3.08.*", "3.8.1", True),
        ("semver_wildcard", "*", "7.0.0", True),
        ("semver_wildcard", "1.2.*", "1.2.7-beta", False),
        ("semver_wildcard", "1.*.3", "1.2.3", False),  # invalid requirement
        ("semver_wildcard", "1.2", "1.9.0", True),  # no star: a bare requirement is a caret requirement
        ("semver_caret", "bogus", "1.0.0", False),
    ],
)
def test_semver_ranges(operator, value, prop, expected):
    assert matches_value(operator, value, prop) is expected


@pytest.mark.parametrize("operator", ["semver_eq", "semver_neq", "semver_tilde", "semver_wildcard"])
def test_semver_missing_key_and_null_filter_are_false(operator):
    assert matches(operator, "1.0.0", {}) is False
    assert matches_value(operator, None, "1.0.0") is False
