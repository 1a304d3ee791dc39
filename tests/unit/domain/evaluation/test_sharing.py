"""Compiled predicates are shared between flags by value, exactly: sharing must never merge different filters."""

from __future__ import annotations

from typing import Any

import pytest

from flagcore.domain.evaluation import Subject
from flagcore.domain.evaluation.matching.compiler import value_key
from tests.unit.domain.evaluation.support import condition, evaluate, flag, person, snapshot


def test_identical_conditions_of_different_flags_share_one_predicate() -> None:
    filters = (person("plan", "pro"), person("email", "@acme", "icontains"))
    compiled = snapshot(flag("a", condition(*filters)), flag("b", condition(*filters)))
    first, second = (compiled.flags[key].conditions[0].checks for key in ("a", "b"))
    assert first
    assert first is second


@pytest.mark.parametrize(
    ("one", "other"),
    [
        (True, 1),
        (1, 1.0),
        ("1", 1),
        (["true"], "true"),
        ([1], (1,)),
        ({"a": 1}, {"a": True}),
        (0, False),
        (0.0, -0.0),
        ([0.0], [-0.0]),
    ],
)
def test_values_equal_in_python_but_not_in_type_have_different_keys(one: Any, other: Any) -> None:
    assert value_key(one) != value_key(other)


def test_filters_equal_in_python_but_not_in_type_are_not_merged() -> None:
    # exact on True coerces both sides to booleans; exact on 1 compares text: "true" matches only the first.
    flags = [flag("coerced", condition(person("beta", True))), flag("text", condition(person("beta", 1)))]
    results = evaluate(flags, Subject(distinct_id="u", person_properties={"beta": "true"}))
    assert results["coerced"].enabled is True
    assert results["text"].enabled is False
    compiled = snapshot(*flags)
    assert compiled.flags["coerced"].conditions[0].checks is not compiled.flags["text"].conditions[0].checks


@pytest.mark.parametrize("operator", ["exact", "is_not", "icontains", "regex"])
def test_zero_and_negative_zero_filters_are_not_merged(operator: str) -> None:
    # They print differently ("-0.0" and "0.0"): operators comparing text tell them apart (found in review).
    flags = [
        flag("neg", condition(person("score", -0.0, operator))),
        flag("pos", condition(person("score", 0.0, operator))),
    ]
    for value in ("0.0", "-0.0"):
        alone = {
            key: evaluate([f], Subject(distinct_id="u", person_properties={"score": value}))[key]
            for key, f in (("neg", flags[0]), ("pos", flags[1]))
        }
        together = evaluate(flags, Subject(distinct_id="u", person_properties={"score": value}))
        assert {k: r.enabled for k, r in together.items()} == {k: r.enabled for k, r in alone.items()}
