"""Cohort references and cohort property groups: AND/OR, negation, nesting, static, missing and cyclic cohorts."""

import pytest

from flagcore.domain.evaluation.matching import (
    MatchInput,
    PropertyCompiler,
    PropertyMatchError,
    compile_properties,
    compile_property_group,
)
from tests.unit.domain.evaluation.matching.support import context


def _email(value, operator="icontains", **extra):
    return {"key": "email", "value": value, "operator": operator, "type": "person", **extra}


def _ref(cohort, operator=None, **extra):
    f = {"key": "id", "value": cohort, "type": "cohort", **extra}
    if operator is not None:
        f["operator"] = operator
    return f


def _group(kind, *values):
    return {"type": kind, "values": list(values)}


_COHORTS = {
    "1": _group("OR", _group("AND", _email("@x.com"))),
    "2": _group("AND", _group("OR", _email("@x.com"), _email("@y.com")), _ref(3)),
    "3": _group("AND", {"key": "age", "value": 18, "operator": "gte", "type": "person"}),
    "4": _group("AND", _email("@x.com", negation=True)),
    "5": _group("AND", _ref(1, negation=True)),
    "6": {},
    "7": _group("OR"),
    "8": _group("AND", {"key": "beta", "value": True, "operator": "flag_evaluates_to", "type": "flag"}),
    "10": _group("AND", _ref(11)),
    "11": _group("OR", _email("@x.com"), _ref(10)),
    "12": _group("AND", _ref(10)),
    "13": _group("OR", _email("@x.com"), _ref(404)),
    "20": _group("AND", _ref(20)),
    "30": _group("OR", _ref(50), _email("@z.com")),
}
_CTX = context(cohorts=_COHORTS, static_cohort_ids=frozenset({50}))


def _in(cohort, props, *, operator=None, static=frozenset(), flags=None):
    pred = compile_properties([_ref(cohort, operator)], _CTX, aggregation=None)
    return pred(MatchInput(props, static_cohorts=static, flag_values=flags or {}))


@pytest.mark.parametrize(
    ("cohort", "props", "expected"),
    [
        (1, {"email": "a@x.com"}, True),
        (1, {"email": "a@z.com"}, False),
        (1, {}, False),
        (2, {"email": "a@y.com", "age": 20}, True),
        (2, {"email": "a@y.com", "age": 10}, False),
        (2, {"email": "a@z.com", "age": 20}, False),
        (4, {"email": "a@z.com"}, True),  # negation inverts a property filter inside a cohort
        (4, {"email": "a@x.com"}, False),
        (4, {}, True),
        (5, {"email": "a@z.com"}, True),  # ... and a cohort reference
        (5, {"email": "a@x.com"}, False),
        (6, {}, True),  # an empty group matches everyone
        (7, {}, True),
        (30, {"email": "a@z.com"}, True),
    ],
)
def test_dynamic_cohort_membership(cohort, props, expected):
    assert _in(cohort, props) is expected
    assert _in(cohort, props, operator="in") is expected
    assert _in(cohort, props, operator="not_in") is (not expected)


@pytest.mark.parametrize("operator", ["exact", "is_not", "icontains"])
def test_other_cohort_operators_are_false(operator):
    assert _in(1, {"email": "a@x.com"}, operator=operator) is False
    assert _in(1, {"email": "a@z.com"}, operator=operator) is False


def test_static_cohort_membership_comes_from_the_input():
    assert _in(50, {}, static=frozenset({50})) is True
    assert _in(50, {}, static=frozenset({51})) is False
    assert _in(50, {}, operator="not_in") is True
    assert _in(30, {}, static=frozenset({50})) is True  # a static cohort inside a dynamic one


def test_cohort_id_may_be_a_numeric_string():
    pred = compile_properties([_ref("1")], _CTX, aggregation=None)
    assert pred(MatchInput({"email": "a@x.com"})) is True


def test_flag_filters_inside_cohorts():
    assert _in(8, {}, flags={"beta": "v1"}) is True
    assert _in(8, {}, flags={"beta": False}) is False


def test_cohorts_read_person_properties_even_on_group_conditions():
    pred = compile_properties([_ref(1)], _CTX, aggregation=0)
    inp = MatchInput({"email": "a@x.com"}, group_properties={0: {"email": "a@z.com"}})
    assert pred(inp) is True


@pytest.mark.parametrize("operator", [None, "in", "not_in", "exact"])
def test_missing_cohort_raises_dependency_not_found(operator):
    with pytest.raises(PropertyMatchError) as excinfo:
        _in(404, {}, operator=operator)
    assert excinfo.value.code == "dependency_not_found_cohort"


def test_missing_nested_cohort_raises_even_when_another_branch_matches():
    with pytest.raises(PropertyMatchError) as excinfo:
        _in(13, {"email": "a@x.com"})
    assert excinfo.value.code == "dependency_not_found_cohort"


def test_missing_cohort_fails_the_whole_condition():
    pred = compile_properties([{"key": "plan", "value": "pro", "type": "person"}, _ref(404)], _CTX, aggregation=None)
    with pytest.raises(PropertyMatchError):
        pred(MatchInput({"plan": "free"}))


@pytest.mark.parametrize("cohort", [10, 11, 12, 20])
def test_cohort_cycles_raise_dependency_cycle(cohort):
    with pytest.raises(PropertyMatchError) as excinfo:
        _in(cohort, {"email": "a@x.com"})
    assert excinfo.value.code == "dependency_cycle_cohort"


def test_each_cohort_is_compiled_once_per_compiler():
    compiler = PropertyCompiler(_CTX)
    first = compiler.cohort(2)
    assert compiler.cohort(2) is first
    assert compiler.cohort(3) is compiler.cohort(3)


def test_compile_functions_share_one_compiler_per_context():
    # Cohort 1 is compiled once: both conditions get the very same membership predicate.
    a = compile_properties([_ref(1)], _CTX, aggregation=None)
    b = compile_properties([_ref(1)], _CTX, aggregation=0)
    assert a is b


@pytest.mark.parametrize(
    ("group", "props", "expected"),
    [
        (_group("AND", _email("@x.com"), _email("a@", "starts_with")), {"email": "a@x.com"}, True),
        (_group("AND", _email("@x.com"), _email("b@", "starts_with")), {"email": "a@x.com"}, False),
        (_group("OR", _email("@y.com"), _email("a@", "starts_with")), {"email": "a@x.com"}, True),
        (_group("OR", _email("@y.com"), _email("b@", "starts_with")), {"email": "a@x.com"}, False),
        (_group("OR", _group("AND", _email("@y.com")), _group("AND", _email("@x.com"))), {"email": "a@x.com"}, True),
        (_group("AND", _group("OR", _email("@y.com")), _group("OR", _email("@x.com"))), {"email": "a@x.com"}, False),
        (_group("AND", _email("@y.com", negation=True), _email("@x.com")), {"email": "a@x.com"}, True),
        (_group("AND", _email("@x.com", "not_icontains", negation=True)), {"email": "a@x.com"}, True),
        (_group("AND", _group("AND", _group("OR", _email("@x.com")))), {"email": "a@x.com"}, True),
        ({"type": "and", "values": [_email("@y.com")]}, {"email": "a@x.com"}, False),
        ({}, {}, True),
    ],
)
def test_property_groups(group, props, expected):
    assert compile_property_group(group, _CTX)(MatchInput(props)) is expected


def test_negated_filter_in_group_is_true_when_the_key_is_missing():
    group = _group("AND", _email("@x.com", negation=True))
    assert compile_property_group(group, _CTX)(MatchInput({})) is True
