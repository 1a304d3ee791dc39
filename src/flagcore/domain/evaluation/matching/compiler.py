"""Compile filter lists and cohort property groups into predicates (spec sections 5, 6 and 7).

One :class:`PropertyCompiler` serves one :class:`CompileContext`: it compiles each referenced cohort once and
shares the predicate between every flag and cohort that names it. It also interns every other predicate it builds:
identical filters, conditions and combinations (by value, exactly) get one shared predicate. Predicates are pure, so
sharing cannot change a result; it keeps the working set of a large snapshot small. With one closure per filter of
every flag, a 5,000-flag snapshot evaluated at about twice the cost per flag of a 50-flag one, as its predicates
no longer fitted the CPU caches (docs/performance.md, "Evaluation engine").
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import TypeVar

from flagcore.domain.evaluation.matching.context import CompileContext, Predicate
from flagcore.domain.evaluation.matching.operators import compile_operator
from flagcore.domain.evaluation.matching.plan import OperatorPlan
from flagcore.domain.evaluation.matching.predicates import (
    PersonCheck,
    PropertySource,
    Raiser,
    all_of,
    always_false,
    always_true,
    any_of,
    cohort_id,
    first_raiser,
    flag_predicate,
    group_source,
    negate,
    person_checks,
    person_source,
    property_predicate,
)
from flagcore.domain.evaluation.matching.values import JsonValue

__all__ = ("PropertyCompiler", "value_key")

_T = TypeVar("_T")

_PERSON_TYPES = frozenset({None, "person", "person_metadata"})


def value_key(value: object) -> Hashable:
    """An exact, hashable key of a JSON value: equal keys only for values no operator can tell apart.

    Python's own equality is not enough: ``True == 1 == 1.0`` but filters treat them differently, so every scalar
    carries its type, and ``-0.0 == 0.0`` but they print differently (``exact``, ``icontains``, ``regex`` compare
    the text), so a float is keyed by its exact hex form. A NaN never equals itself, so filters holding one are
    simply not shared.
    """
    if isinstance(value, list | tuple):
        return (value.__class__, tuple(value_key(item) for item in value))
    if isinstance(value, Mapping):
        return (value.__class__, tuple((value_key(key), value_key(item)) for key, item in value.items()))
    if isinstance(value, float):
        return (float, value.hex()) if value == value else (float, value)  # noqa: PLR0124 - NaN: never shared
    return (value.__class__, value)


class PropertyCompiler:
    """Compiles filters for one project context; cohorts are compiled once and memoised by id.

    Cohort references resolve through ``ctx.cohorts`` (dynamic, evaluated on person properties) or
    ``ctx.static_cohort_ids`` (membership from ``MatchInput.static_cohorts``). An unknown id compiles to a
    predicate raising ``PropertyMatchError(code="dependency_not_found_cohort")``; a cohort that references itself
    (directly or not) raises ``dependency_cycle_cohort`` when evaluated, as the server reports both as errors.
    """

    def __init__(self, ctx: CompileContext) -> None:
        self._ctx = ctx
        self._cohorts: dict[int, Predicate] = {}
        self._compiling: list[int] = []
        # Interned results, keyed by value (``value_key``) or by their interned parts themselves (functions and
        # plans compare by identity), so a key keeps its parts alive and two keys never alias.
        self._interned: dict[Hashable, object] = {}

    def _intern(self, key: Hashable, build: Callable[[], _T]) -> _T:
        try:
            return self._interned[key]  # type: ignore[return-value]  # the key's first element names the kind
        except KeyError:
            made = self._interned[key] = build()
            return made
        except TypeError:  # an unhashable part (a value outside JSON): build it unshared
            return build()

    def properties(self, filters: Sequence[Mapping[str, JsonValue]], *, aggregation: int | None) -> Predicate:
        """AND of one condition's filters; ``negation`` is ignored here, as the server does in v1.

        A reference to a missing or cyclic cohort makes the whole condition raise, whatever the other filters say.
        """
        key = ("properties", value_key(filters), aggregation)
        return self._intern(key, lambda: self._properties(filters, aggregation))

    def _properties(self, filters: Sequence[Mapping[str, JsonValue]], aggregation: int | None) -> Predicate:
        conjuncts = self.conjuncts(filters, aggregation=aggregation)
        if not conjuncts:
            return always_true
        return conjuncts[0] if len(conjuncts) == 1 else self._combine("all", conjuncts)

    def conjuncts(
        self, filters: Sequence[Mapping[str, JsonValue]], *, aggregation: int | None
    ) -> tuple[Predicate, ...]:
        """The same AND as :meth:`properties`, as a tuple of shared predicates that all must hold, in order.

        Empty when every filter is always true; ``(always_false,)`` or ``(the raiser,)`` when one filter is always
        false or broken. The engine loops over it itself, so a condition needs no closure of its own (conditions
        that combine the same filters differently then share all their parts) and costs one call less.
        """
        key = ("conjuncts", value_key(filters), aggregation)
        return self._intern(key, lambda: self._conjuncts(filters, aggregation))

    def _conjuncts(self, filters: Sequence[Mapping[str, JsonValue]], aggregation: int | None) -> tuple[Predicate, ...]:
        plans = [self._person_plan(f) for f in filters]
        if len(plans) > 1 and all(plan is not None and plan[1].is_plain for plan in plans):
            checks = [plan for plan in plans if plan is not None]
            return (self._intern(("person_checks", *checks), lambda: person_checks(checks)),)
        preds = [
            self._condition_filter(f, aggregation) if plan is None else self._property(*plan, person_source)
            for f, plan in zip(filters, plans, strict=True)
        ]
        broken = first_raiser(preds)
        if broken is not None:
            return (broken,)
        if any(pred is always_false for pred in preds):
            return (always_false,)
        return tuple(pred for pred in preds if pred is not always_true)

    def _combine(self, kind: str, preds: Sequence[Predicate]) -> Predicate:
        key = (kind, *preds)
        return self._intern(key, lambda: (all_of if kind == "all" else any_of)(preds))

    def _property(self, key: str, plan: OperatorPlan, source: PropertySource) -> Predicate:
        return self._intern(("property", key, plan, source), lambda: property_predicate(key, plan, source))

    def _operator(self, operator: JsonValue, value: JsonValue) -> OperatorPlan:
        key = ("operator", value_key(operator), value_key(value))
        return self._intern(key, lambda: compile_operator(operator, value, self._ctx))

    def group(self, group: Mapping[str, JsonValue]) -> Predicate:
        """A cohort-style property group: nested AND/OR, ``negation`` honoured on filters, person properties.

        ``{}`` and groups without values match everyone (the local-evaluation feed's meaning).
        """
        values = group.get("values") or ()
        parts = [self._group_entry(entry) for entry in values if isinstance(entry, Mapping)]
        broken = first_raiser(parts)
        if broken is not None:
            return broken
        if not parts:
            return always_true
        return self._combine("any" if str(group.get("type", "AND")).upper() == "OR" else "all", parts)

    def cohort(self, cohort: int) -> Predicate:
        """Membership predicate of a cohort id, compiled once.

        A cohort that reaches a missing or cyclic cohort (at any depth) compiles to a raising predicate, since
        the server resolves the whole dependency graph before evaluating and fails on either.
        """
        known = self._cohorts.get(cohort)
        if known is not None:
            return known
        if cohort in self._compiling:
            return Raiser(f"cohort {cohort} depends on itself", "dependency_cycle_cohort")
        definition = self._ctx.cohorts.get(str(cohort))
        if definition is not None:
            self._compiling.append(cohort)
            try:
                pred = self.group(definition) if isinstance(definition, Mapping) else always_false
            finally:
                self._compiling.pop()
        elif cohort in self._ctx.static_cohort_ids:
            pred = _static_member(cohort)
        else:
            pred = Raiser(f"cohort {cohort} is not in the project", "dependency_not_found_cohort")
        self._cohorts[cohort] = pred
        return pred

    def _group_entry(self, entry: Mapping[str, JsonValue]) -> Predicate:
        if "values" in entry or str(entry.get("type", "")).upper() in {"AND", "OR"} or not entry:
            return self.group(entry)
        pred = self._filter(entry, person_source, aggregation=None)
        if isinstance(pred, Raiser) or entry.get("negation") is not True:
            return pred
        return self._negate(pred)

    def _negate(self, pred: Predicate) -> Predicate:
        return self._intern(("negate", pred), lambda: negate(pred))

    def _person_plan(self, f: Mapping[str, JsonValue]) -> PersonCheck | None:
        """The key and operator plan of a person-property filter, ``None`` for any other filter."""
        key = f.get("key")
        if f.get("type") not in _PERSON_TYPES or not isinstance(key, str):
            return None
        return key, self._operator(f.get("operator"), f.get("value"))

    def _condition_filter(self, f: Mapping[str, JsonValue], aggregation: int | None) -> Predicate:
        kind = f.get("type")
        if kind == "group":
            index = f.get("group_type_index", aggregation)
            if not isinstance(index, int) or isinstance(index, bool):
                return always_false
            source = self._intern(("group_source", index), lambda: group_source(index))
            return self._filter(f, source, aggregation=aggregation)
        return self._filter(f, person_source, aggregation=aggregation)

    def _filter(self, f: Mapping[str, JsonValue], source: PropertySource, *, aggregation: int | None) -> Predicate:
        """One filter on ``source``; cohort and flag filters ignore the source (cohorts read person props)."""
        del aggregation  # cohorts always use person properties, even on group flags (server)
        kind = f.get("type")
        if kind == "cohort":
            return self._cohort_filter(f)
        if kind == "flag":
            flag_key = ("flag", value_key(f.get("key")), value_key(f.get("operator")), value_key(f.get("value")))
            return self._intern(flag_key, lambda: flag_predicate(f))
        if kind not in _PERSON_TYPES and kind != "group":
            return always_false  # event/element/session filters cannot be evaluated on a subject
        key = f.get("key")
        if not isinstance(key, str):
            return always_false
        return self._property(key, self._operator(f.get("operator"), f.get("value")), source)

    def _cohort_filter(self, f: Mapping[str, JsonValue]) -> Predicate:
        """``in`` (or no operator) = member, ``not_in`` = not member, any other operator = false (server)."""
        cohort = cohort_id(f.get("value"))
        if cohort is None:
            return always_false
        membership = self.cohort(cohort)
        operator = f.get("operator") or "in"
        if operator == "in":
            return membership
        if operator == "not_in":
            return membership if isinstance(membership, Raiser) else self._negate(membership)
        return membership if isinstance(membership, Raiser) else always_false


def _static_member(cohort: int) -> Predicate:
    return lambda inp: cohort in inp.static_cohorts
