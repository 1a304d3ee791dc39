"""Resolve a filter's operator and value to an :class:`OperatorPlan` (one table, server semantics)."""

from __future__ import annotations

from flagcore.domain.evaluation.matching.context import CompileContext
from flagcore.domain.evaluation.matching.ordered_ops import (
    DATE_OPERATORS,
    NUMERIC_OPERATORS,
    SEMVER_OPERATORS,
    between_plan,
    date_plan,
    numeric_plan,
    semver_plan,
)
from flagcore.domain.evaluation.matching.plan import ALWAYS_FALSE, OperatorPlan, constant_plan
from flagcore.domain.evaluation.matching.text_ops import SUBSTRING_OPERATORS, exact_plan, regex_plan, substring_plan
from flagcore.domain.evaluation.matching.values import JsonValue

__all__ = ("compile_operator",)

_IS_SET = constant_plan(result=True, on_missing=False)
_IS_NOT_SET = constant_plan(result=False, on_missing=True)


def compile_operator(operator: str | None, value: JsonValue, ctx: CompileContext) -> OperatorPlan:
    """Plan for a person/group property filter.

    ``is_set``/``is_not_set`` ignore the value; every other operator is false when the filter value is null.
    An operator the server does not know makes the filter false (the server's closed operator enum would not even
    parse it; failing closed is the nearest runtime equivalent). ``in``/``not_in``/``flag_evaluates_to`` only
    apply to cohort and flag filters, so on a property filter they are false as well.
    """
    name = operator or "exact"
    if name == "is_set":
        return _IS_SET
    if name == "is_not_set":
        return _IS_NOT_SET
    if value is None:
        return ALWAYS_FALSE
    return _value_plan(name, value, ctx)


def _value_plan(name: str, value: JsonValue, ctx: CompileContext) -> OperatorPlan:
    if name in {"exact", "is_not"}:
        return exact_plan(value, negate=name == "is_not", matching_version=ctx.property_matching_version)
    if name in SUBSTRING_OPERATORS:
        return substring_plan(name, value)
    if name in {"regex", "not_regex"}:
        return regex_plan(value, negate=name == "not_regex")
    if name in NUMERIC_OPERATORS:
        return numeric_plan(name, value)
    if name in {"between", "not_between"}:
        return between_plan(value, negate=name == "not_between")
    if name in SEMVER_OPERATORS:
        return semver_plan(name, value)
    if name in DATE_OPERATORS:
        return date_plan(name, value, ctx.timezone)
    return ALWAYS_FALSE
