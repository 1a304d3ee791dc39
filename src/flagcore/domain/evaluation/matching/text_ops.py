"""Equality, substring and regex operators (server semantics, spec section 5.2)."""

from __future__ import annotations

from collections.abc import Callable

from flagcore.domain.evaluation.matching.plan import ALWAYS_FALSE, OperatorPlan, ValueTest, constant_plan
from flagcore.domain.evaluation.matching.regex import compile_safe_regex
from flagcore.domain.evaluation.matching.values import JsonValue, ascii_lower, is_bool_like, is_truthy, to_text

__all__ = ("exact_plan", "regex_plan", "substring_plan")

_STR = str


def exact_plan(filter_value: JsonValue, *, negate: bool, matching_version: int) -> OperatorPlan:
    """``exact`` / ``is_not``: case-insensitive text equality, list = any of, boolean coercion in version 1.

    Version 1 (the default and the server's): if the filter value is bool-like (a bool, ``"true"``/``"false"`` in
    any case, or a list of those, including ``[]``) both sides compare by truthiness. Version 2 keeps that only
    for the empty list. A missing key: ``exact`` false, ``is_not`` true.
    """
    coerce = filter_value == [] if matching_version == 2 else is_bool_like(filter_value)  # noqa: PLR2004
    if coerce:
        expected = is_truthy(filter_value)
        test: ValueTest = lambda value: is_truthy(value) is expected  # noqa: E731
    else:
        items = filter_value if isinstance(filter_value, list) else [filter_value]
        test = _lowered_membership(frozenset(to_text(item).lower() for item in items))
    return OperatorPlan(_negated(test) if negate else test, on_missing=negate)


def _lowered_membership(targets: frozenset[str]) -> ValueTest:
    if len(targets) == 1:
        (target,) = targets

        def equals(value: JsonValue) -> bool:
            return (value if value.__class__ is _STR else to_text(value)).lower() == target

        return equals

    def member(value: JsonValue) -> bool:
        return (value if value.__class__ is _STR else to_text(value)).lower() in targets

    return member


def _negated(test: ValueTest) -> ValueTest:
    return lambda value: not test(value)


_SUBSTRING: dict[str, tuple[Callable[[str, str], bool], bool]] = {
    "icontains": (lambda hay, needle: needle in hay, False),
    "not_icontains": (lambda hay, needle: needle in hay, True),
    "starts_with": (str.startswith, False),
    "not_starts_with": (str.startswith, True),
    "ends_with": (str.endswith, False),
    "not_ends_with": (str.endswith, True),
}
SUBSTRING_OPERATORS = frozenset({*_SUBSTRING, "icontains_multi", "not_icontains_multi"})


def substring_plan(operator: str, filter_value: JsonValue) -> OperatorPlan:
    """ASCII-case-insensitive substring/prefix/suffix tests on text representations; ``not_*`` on missing = true."""
    if operator in {"icontains_multi", "not_icontains_multi"}:
        items = filter_value if isinstance(filter_value, list) else [filter_value]
        needles = tuple(ascii_lower(to_text(item)) for item in items)
        negate = operator == "not_icontains_multi"

        def contains_any(value: JsonValue) -> bool:
            hay = ascii_lower(to_text(value))
            return any(needle in hay for needle in needles) is not negate

        return OperatorPlan(contains_any, on_missing=negate)
    check, negate = _SUBSTRING[operator]
    needle = ascii_lower(to_text(filter_value))

    def test(value: JsonValue) -> bool:
        return check(ascii_lower(to_text(value)), needle) is not negate

    return OperatorPlan(test, on_missing=negate)


def regex_plan(filter_value: JsonValue, *, negate: bool) -> OperatorPlan:
    """Unanchored search; an invalid or unsafe pattern, or a too-long text, is false for both operators.

    A missing key is still ``regex`` false / ``not_regex`` true, even for an invalid pattern (the server checks
    the key first). See :mod:`flagcore.domain.evaluation.matching.regex` for the cost bound.
    """
    safe = compile_safe_regex(to_text(filter_value))
    if safe is None:
        return constant_plan(result=False, on_missing=negate) if negate else ALWAYS_FALSE
    search = safe.search

    def test(value: JsonValue) -> bool:
        found = search(to_text(value))
        return found is not None and found is not negate

    return OperatorPlan(test, on_missing=negate)
