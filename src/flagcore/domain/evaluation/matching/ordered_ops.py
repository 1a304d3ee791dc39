"""Numeric, range, semver and date operators (server semantics, spec sections 5.2 and 5.3).

The server turns parse failures of these operators into errors, and an erroring filter makes the condition
false; here that is simply ``False`` (for ``not_between`` too). A missing key is false for all of them except
``not_between``, which is true.
"""

from __future__ import annotations

import math
import operator as op
from collections.abc import Callable
from datetime import datetime, tzinfo
from typing import Any

from flagcore.domain.evaluation.matching.context import MatchInput, PropertyMatchError
from flagcore.domain.evaluation.matching.dates import (
    RelativeDate,
    parse_date_text,
    parse_relative,
    property_instant,
    relative_instant,
)
from flagcore.domain.evaluation.matching.plan import ALWAYS_FALSE, OperatorPlan, constant_plan
from flagcore.domain.evaluation.matching.semver import Version, compile_requirement, parse_version
from flagcore.domain.evaluation.matching.values import JsonValue, to_f64

__all__ = (
    "DATE_OPERATORS",
    "NUMERIC_OPERATORS",
    "SEMVER_OPERATORS",
    "between_plan",
    "date_plan",
    "numeric_plan",
    "semver_plan",
)

_Compare = Callable[[Any, Any], bool]
_NUMERIC: dict[str, _Compare] = {"gt": op.gt, "gte": op.ge, "lt": op.lt, "lte": op.le, "min": op.ge, "max": op.le}
NUMERIC_OPERATORS = frozenset(_NUMERIC)
_SEMVER: dict[str, _Compare] = {
    "semver_gt": op.gt,
    "semver_gte": op.ge,
    "semver_lt": op.lt,
    "semver_lte": op.le,
    "semver_eq": op.eq,
    "semver_neq": op.ne,
}
_SEMVER_RANGES = frozenset({"semver_tilde", "semver_caret", "semver_wildcard"})
SEMVER_OPERATORS = frozenset({*_SEMVER, *_SEMVER_RANGES})
_DATES: dict[str, _Compare] = {"is_date_before": op.lt, "is_date_after": op.gt, "is_date_exact": op.eq}
DATE_OPERATORS = frozenset(_DATES)


def numeric_plan(operator: str, filter_value: JsonValue) -> OperatorPlan:
    """``prop OP filter`` on floats (Rust ``parse::<f64>`` rules: ``"inf"`` and ``"NaN"`` parse, NaN never matches)."""
    bound = to_f64(filter_value)
    if bound is None:
        return ALWAYS_FALSE
    compare = _NUMERIC[operator]

    def test(value: JsonValue) -> bool:
        number = value if value.__class__ is float else to_f64(value)
        return number is not None and compare(number, bound)

    return OperatorPlan(test, on_missing=False)


def between_plan(filter_value: JsonValue, *, negate: bool) -> OperatorPlan:
    """Inclusive ``[min, max]``; malformed bounds or a non-numeric/NaN property are false for both operators."""
    bounds = _bounds(filter_value)
    if bounds is None:
        return constant_plan(result=False, on_missing=negate)
    low, high = bounds

    def test(value: JsonValue) -> bool:
        number = to_f64(value)
        if number is None or math.isnan(number):
            return False
        return (low <= number <= high) is not negate

    return OperatorPlan(test, on_missing=negate)


def _bounds(filter_value: JsonValue) -> tuple[float, float] | None:
    if not isinstance(filter_value, list) or len(filter_value) != 2:  # noqa: PLR2004
        return None
    low, high = to_f64(filter_value[0]), to_f64(filter_value[1])
    if low is None or high is None or math.isnan(low) or math.isnan(high) or low > high:
        return None
    return low, high


def semver_plan(operator: str, filter_value: JsonValue) -> OperatorPlan:
    """Compare parsed versions, or test a tilde/caret/wildcard range; unparseable property or filter -> false."""
    if operator in _SEMVER_RANGES:
        requirement = compile_requirement(operator, filter_value)
        if requirement is None:
            return ALWAYS_FALSE
        matches: Callable[[Version], bool] = requirement
    else:
        target = parse_version(filter_value)
        if target is None:
            return ALWAYS_FALSE
        compare = _SEMVER[operator]
        matches = lambda version: compare(version, target)  # noqa: E731

    def test(value: JsonValue) -> bool:
        version = parse_version(value)
        return version is not None and matches(version)

    return OperatorPlan(test, on_missing=False)


def date_plan(operator: str, filter_value: JsonValue, tz: tzinfo) -> OperatorPlan:
    """Strict before/after or equality of instants; the filter value must be a string, parsed once.

    A relative filter (``-7d``) is anchored at evaluation time to ``MatchInput.now`` in the team timezone;
    the instant is cached for the last ``now`` seen, since one request evaluates many flags at one instant.
    """
    if not isinstance(filter_value, str):
        return ALWAYS_FALSE
    compare = _DATES[operator]
    relative = parse_relative(filter_value)
    target = None if relative is not None else parse_date_text(filter_value, tz)
    if relative is None and target is None:
        return ALWAYS_FALSE
    return OperatorPlan(ALWAYS_FALSE.test, on_missing=False, input_test=_date_test(compare, relative, target, tz))


def _date_test(
    compare: _Compare, relative: RelativeDate | None, fixed: int | None, tz: tzinfo
) -> Callable[[JsonValue, MatchInput], bool]:
    # Property strings may themselves be relative dates, so even absolute filters read `now`. The cache holds
    # (now, filter instant for that now) and is swapped as one tuple, so concurrent readers see a consistent pair.
    cache: list[tuple[datetime | None, int | None]] = [(None, fixed)]

    def test(value: JsonValue, inp: MatchInput) -> bool:
        now = inp.now
        target = fixed
        if relative is not None:
            if now is None:
                raise PropertyMatchError("a relative date filter needs MatchInput.now", code="evaluation_error")
            seen_now, target = cache[0]
            if seen_now is not now:
                target = relative_instant(relative, now, tz)
                cache[0] = (now, target)
        instant = property_instant(value, tz, now)
        return target is not None and instant is not None and compare(instant, target)

    return test
