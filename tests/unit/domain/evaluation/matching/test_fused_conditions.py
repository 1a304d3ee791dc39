"""Conditions made only of person-property filters are fused into one predicate: it must decide as the AND does."""

from __future__ import annotations

from itertools import product
from typing import Any

import pytest

from flagcore.domain.evaluation.matching import MatchInput, compile_properties
from tests.unit.domain.evaluation.matching.support import context

_CTX = context()
_FILTERS: list[dict[str, Any]] = [
    {"key": "email", "operator": "icontains", "value": "example.com", "type": "person"},
    {"key": "plan", "operator": "exact", "value": ["pro", "enterprise"], "type": "person"},
    {"key": "country", "operator": "is_not", "value": "JP"},
    {"key": "age", "operator": "gt", "value": "30", "type": "person"},
    {"key": "app_version", "operator": "semver_gte", "value": "1.4.0", "type": "person_metadata"},
    {"key": "email", "operator": "not_regex", "value": "^admin"},
    {"key": "seen", "operator": "is_set", "type": "person"},
    {"key": "gone", "operator": "is_not_set", "type": "person"},
]
_PEOPLE: list[dict[str, Any]] = [
    {},
    {"email": "a@example.com", "plan": "pro", "country": "FR", "age": 44, "app_version": "1.5.0", "seen": 1},
    {"email": "admin@corp.io", "plan": "free", "country": "JP", "age": "12", "app_version": "0.9"},
    {"email": None, "plan": "enterprise", "age": 31.5, "gone": "x", "seen": None},
]


@pytest.mark.parametrize(("first", "second"), list(product(range(len(_FILTERS)), repeat=2)))
def test_a_fused_pair_decides_as_its_filters_one_by_one(first: int, second: int) -> None:
    pair = [_FILTERS[first], _FILTERS[second]]
    fused = compile_properties(pair, _CTX, aggregation=None)
    singles = [compile_properties([f], _CTX, aggregation=None) for f in pair]
    for person in _PEOPLE:
        inp = MatchInput(person)
        assert fused(inp) is all(single(inp) for single in singles), (pair, person)


def test_person_only_conditions_take_the_fused_path() -> None:
    # What the test above relies on: without it, it would compare the AND with itself.
    assert compile_properties(_FILTERS[:2], _CTX, aggregation=None).__name__ == "every_person"


def test_a_condition_mixing_other_filters_still_ands_them() -> None:
    filters = [_FILTERS[1], {"key": "size", "value": "big", "type": "group", "group_type_index": 0}]
    predicate = compile_properties(filters, _CTX, aggregation=None)
    assert predicate(MatchInput({"plan": "pro"}, group_properties={0: {"size": "big"}})) is True
    assert predicate(MatchInput({"plan": "pro"}, group_properties={0: {"size": "small"}})) is False
    assert predicate(MatchInput({"plan": "free"}, group_properties={0: {"size": "big"}})) is False
