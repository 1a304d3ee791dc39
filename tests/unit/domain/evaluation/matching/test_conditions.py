"""``compile_properties``: filter sources (person, group, flag), AND semantics, negation and odd filters."""

import pytest

from flagcore.domain.evaluation.matching import MatchInput, compile_properties
from tests.unit.domain.evaluation.matching.support import context

_CTX = context()


def _eval(filters, inp, *, aggregation=None):
    return compile_properties(filters, _CTX, aggregation=aggregation)(inp)


def test_empty_filter_list_is_always_true():
    assert _eval([], MatchInput({})) is True


def test_filters_are_anded():
    filters = [
        {"key": "plan", "value": "pro", "type": "person"},
        {"key": "age", "value": 18, "operator": "gte", "type": "person"},
    ]
    assert _eval(filters, MatchInput({"plan": "pro", "age": 30})) is True
    assert _eval(filters, MatchInput({"plan": "pro", "age": 10})) is False
    assert _eval(filters, MatchInput({"plan": "free", "age": 30})) is False


def test_group_filter_reads_its_group_type():
    filters = [{"key": "size", "value": "big", "type": "group", "group_type_index": 1}]
    inp = MatchInput({"size": "small"}, group_properties={0: {"size": "small"}, 1: {"size": "big"}})
    assert _eval(filters, inp) is True
    assert _eval(filters, MatchInput({"size": "big"}, group_properties={0: {"size": "big"}})) is False


def test_group_filter_without_index_uses_the_condition_aggregation():
    filters = [{"key": "size", "value": "big", "type": "group"}]
    inp = MatchInput({}, group_properties={2: {"size": "big"}})
    assert _eval(filters, inp, aggregation=2) is True
    assert _eval(filters, inp, aggregation=0) is False
    assert _eval(filters, inp, aggregation=None) is False


def test_missing_group_behaves_like_missing_keys():
    filters = [{"key": "size", "value": "big", "operator": "is_not", "type": "group", "group_type_index": 3}]
    assert _eval(filters, MatchInput({})) is True


def test_person_filters_read_person_properties_on_group_conditions():
    filters = [
        {"key": "email", "value": "@x.com", "operator": "icontains", "type": "person"},
        {"key": "name", "value": "acme", "type": "group", "group_type_index": 0},
    ]
    inp = MatchInput({"email": "a@x.com", "name": "bob"}, group_properties={0: {"name": "acme", "email": "no"}})
    assert _eval(filters, inp, aggregation=0) is True


def test_person_metadata_and_missing_type_read_person_properties():
    inp = MatchInput({"k": "v"})
    assert _eval([{"key": "k", "value": "v", "type": "person_metadata"}], inp) is True
    assert _eval([{"key": "k", "value": "v"}], inp) is True


@pytest.mark.parametrize("kind", ["event", "element", "session", "unknown"])
def test_unsupported_filter_types_are_false(kind):
    assert _eval([{"key": "k", "value": "v", "type": kind, "operator": "is_not"}], MatchInput({"k": "x"})) is False


@pytest.mark.parametrize("operator", ["no_such_operator", "in", "not_in", "flag_evaluates_to"])
def test_unknown_or_misplaced_operator_on_a_property_is_false(operator):
    assert _eval([{"key": "k", "value": "v", "operator": operator}], MatchInput({"k": "v"})) is False
    assert _eval([{"key": "k", "value": "v", "operator": operator}], MatchInput({})) is False


def test_negation_is_ignored_on_flag_conditions():
    filters = [{"key": "k", "value": "v", "type": "person", "negation": True}]
    assert _eval(filters, MatchInput({"k": "v"})) is True


@pytest.mark.parametrize(
    ("props", "is_set", "is_not_set"),
    [({"k": "v"}, True, False), ({"k": None}, True, False), ({"k": ""}, True, False), ({}, False, True)],
)
def test_is_set_and_is_not_set_ignore_the_value(props, is_set, is_not_set):
    assert _eval([{"key": "k", "operator": "is_set", "value": None}], MatchInput(props)) is is_set
    assert _eval([{"key": "k", "operator": "is_not_set"}], MatchInput(props)) is is_not_set
    assert _eval([{"key": "k", "operator": "is_set", "value": "is_set"}], MatchInput(props)) is is_set


def _flag(value, operator="flag_evaluates_to", key="beta"):
    return [{"key": key, "value": value, "operator": operator, "type": "flag", "dependency_chain": [key]}]


@pytest.mark.parametrize(
    ("expected_value", "flag_value", "result"),
    [
        (True, True, True),
        (True, "variant-a", True),
        (True, False, False),
        (False, False, True),
        (False, True, False),
        (False, "variant-a", False),
        ("variant-a", "variant-a", True),
        ("variant-a", "Variant-A", False),
        ("variant-a", True, False),
        ("true", True, False),
        (1, True, False),
        (None, True, False),
    ],
)
def test_flag_dependency_expected_values(expected_value, flag_value, result):
    assert _eval(_flag(expected_value), MatchInput({}, flag_values={"beta": flag_value})) is result


def test_flag_dependency_ignores_negation():
    filters = [{**_flag(True)[0], "negation": True}]
    assert _eval(filters, MatchInput({}, flag_values={"beta": True})) is True


@pytest.mark.parametrize("expected_value", [True, False, "v"])
def test_flag_dependency_on_an_unevaluated_flag_is_false(expected_value):
    assert _eval(_flag(expected_value), MatchInput({}, flag_values={})) is False


def test_flag_dependency_needs_its_operator_and_key():
    inp = MatchInput({}, flag_values={"beta": True})
    assert _eval(_flag(True, operator="exact"), inp) is False
    assert _eval(_flag(True, key=""), inp) is False
