"""Predicate building blocks: combinators, property lookups and flag-dependency checks."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from flagcore.domain.evaluation.matching.context import MatchInput, Predicate, PropertyMatchError
from flagcore.domain.evaluation.matching.plan import OperatorPlan
from flagcore.domain.evaluation.matching.values import JsonValue

__all__ = (
    "PersonCheck",
    "PropertySource",
    "Raiser",
    "all_of",
    "always_false",
    "always_true",
    "any_of",
    "cohort_id",
    "first_raiser",
    "flag_predicate",
    "group_source",
    "negate",
    "person_checks",
    "person_source",
    "property_predicate",
)

_MISSING = object()
_EMPTY: Mapping[str, JsonValue] = {}
PropertySource = Callable[[MatchInput], Mapping[str, JsonValue]]


def always_true(_inp: MatchInput) -> bool:
    return True


def always_false(_inp: MatchInput) -> bool:
    return False


def all_of(predicates: Sequence[Predicate]) -> Predicate:
    """AND, stopping at the first false (an empty list is true)."""
    preds = tuple(p for p in predicates if p is not always_true)
    if any(p is always_false for p in preds):
        return always_false
    if not preds:
        return always_true
    if len(preds) == 1:
        return preds[0]

    def every(inp: MatchInput) -> bool:
        for pred in preds:  # noqa: SIM110 - a plain loop is cheaper than all() over a generator
            if not pred(inp):
                return False
        return True

    return every


def any_of(predicates: Sequence[Predicate]) -> Predicate:
    """OR, stopping at the first true (an empty list is false)."""
    preds = tuple(p for p in predicates if p is not always_false)
    if any(p is always_true for p in preds):
        return always_true
    if not preds:
        return always_false
    if len(preds) == 1:
        return preds[0]

    def some(inp: MatchInput) -> bool:
        for pred in preds:  # noqa: SIM110 - a plain loop is cheaper than any() over a generator
            if pred(inp):
                return True
        return False

    return some


def negate(pred: Predicate) -> Predicate:
    if pred is always_true:
        return always_false
    if pred is always_false:
        return always_true
    return lambda inp: not pred(inp)


def person_source(inp: MatchInput) -> Mapping[str, JsonValue]:
    return inp.person_properties


def group_source(index: int) -> PropertySource:
    def source(inp: MatchInput) -> Mapping[str, JsonValue]:
        return inp.group_properties.get(index, _EMPTY)

    return source


def property_predicate(key: str, plan: OperatorPlan, source: PropertySource) -> Predicate:
    """Look the key up once and apply the plan; the per-subject hot path."""
    if plan.constant is not None:
        return always_true if plan.constant else always_false
    missing = plan.on_missing
    input_test = plan.input_test
    if input_test is not None:

        def dated(inp: MatchInput) -> bool:
            value = source(inp).get(key, _MISSING)
            return missing if value is _MISSING else input_test(value, inp)

        return dated
    test = plan.test
    if source is person_source:

        def on_person(inp: MatchInput) -> bool:
            value = inp.person_properties.get(key, _MISSING)
            return missing if value is _MISSING else test(value)

        return on_person

    def on_source(inp: MatchInput) -> bool:
        value = source(inp).get(key, _MISSING)
        return missing if value is _MISSING else test(value)

    return on_source


#: A person-property filter: the property key and its operator plan.
PersonCheck = tuple[str, OperatorPlan]


def person_checks(checks: Sequence[PersonCheck]) -> Predicate:
    """AND of person-property filters whose plans are plain (``OperatorPlan.is_plain``), in one call.

    The same as ``all_of`` over their ``property_predicate``s, but a condition with several filters costs one
    Python call per filter less: conditions run for every flag of every request.
    """
    parts = tuple((key, plan.on_missing, plan.test) for key, plan in checks)

    def every_person(inp: MatchInput) -> bool:
        properties = inp.person_properties
        for key, missing, test in parts:
            value = properties.get(key, _MISSING)
            if not (missing if value is _MISSING else test(value)):
                return False
        return True

    return every_person


def flag_predicate(flag: Mapping[str, JsonValue]) -> Predicate:
    """``flag_evaluates_to``: true -> anything but False; false -> exactly False; a string -> that variant.

    A malformed filter (other operator, no key, other value types) or a flag absent from ``flag_values`` is false.
    """
    key, expected = flag.get("key"), flag.get("value")
    if flag.get("operator") != "flag_evaluates_to" or not isinstance(key, str) or not key:
        return always_false
    if expected is True:
        return lambda inp: inp.flag_values.get(key, False) is not False
    if expected is False:
        return lambda inp: inp.flag_values.get(key, True) is False
    if isinstance(expected, str):
        return lambda inp: inp.flag_values.get(key) == expected
    return always_false


def cohort_id(value: JsonValue) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


class Raiser:
    """A predicate that fails evaluation: the filter refers to something broken (missing or cyclic cohort)."""

    __slots__ = ("code", "detail")

    def __init__(self, detail: str, code: str) -> None:
        self.detail = detail
        self.code = code

    def __call__(self, _inp: MatchInput) -> bool:
        raise PropertyMatchError(self.detail, code=self.code)


def first_raiser(predicates: Sequence[Predicate]) -> Raiser | None:
    """The first broken predicate, if any: the server fails on broken dependencies before any filter runs."""
    return next((p for p in predicates if isinstance(p, Raiser)), None)
