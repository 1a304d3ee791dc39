"""The compiled project snapshot: compile once, evaluate any number of subjects with no I/O."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from flagcore.domain.evaluation.bucketing import normalize_identifier, truncate_distinct_id
from flagcore.domain.evaluation.compiled import CompiledFlag
from flagcore.domain.evaluation.engine import SubjectState, evaluate_flag
from flagcore.domain.evaluation.matching.context import FlagValue, MatchInput, PropertyMatchError
from flagcore.domain.evaluation.model import FlagResult, Subject
from flagcore.domain.evaluation.needs import PropertyNeeds
from flagcore.domain.evaluation.runtime import Runtime, is_flag_visible

__all__ = ("CompiledSnapshot", "EvaluationPlan")

_PLAN_CACHE_SIZE: Final = 256
_PlanKey = tuple[frozenset[str] | None, Runtime, frozenset[str] | None]


@dataclass(frozen=True, slots=True)
class EvaluationPlan:
    """Which flags one kind of request evaluates, in dependency order.

    Attributes:
        flags: the flags to evaluate; every dependency of a flag comes before it.
        seed: flag values known before evaluation: ``False`` for inactive and hidden flags others depend on.
        dependencies: keys of the evaluated flags that other evaluated flags read.
        slots: every evaluated flag's key, in order, each with a placeholder every evaluation overwrites: copied
            per subject, so that the result dictionary is allocated at its final size instead of growing by
            rehashing (a 5,000-flag result dictionary otherwise resizes ten times per subject).
    """

    flags: tuple[CompiledFlag, ...]
    seed: Mapping[str, FlagValue]
    dependencies: frozenset[str]
    slots: dict[str, FlagResult]


class CompiledSnapshot:
    """An immutable, compiled project snapshot (build it with :func:`compile_snapshot`).

    Attributes:
        flags: every compiled flag (inactive ones included) by key, in evaluation order.
        group_type_indexes: group type name to index.
        has_dependency_cycles: whether some flags depend on each other in a cycle (the server then reports
            ``errorsWhileComputingFlags``).
    """

    __slots__ = (
        "_default_plan",
        "_plans",
        "_transitive",
        "flags",
        "group_type_indexes",
        "has_dependency_cycles",
        "needs",
    )

    def __init__(
        self,
        *,
        flags: Mapping[str, CompiledFlag],
        group_type_indexes: Mapping[str, int],
        transitive: Mapping[str, frozenset[str]],
        has_dependency_cycles: bool,
        needs: PropertyNeeds | None = None,
    ) -> None:
        self.flags = flags
        #: The stored properties the flags can read (``/flags`` reads the stores only for these).
        self.needs = needs or PropertyNeeds()
        self.group_type_indexes = group_type_indexes
        self.has_dependency_cycles = has_dependency_cycles
        self._transitive = transitive
        self._plans: dict[_PlanKey, EvaluationPlan] = {}
        self._default_plan = self.plan()

    def evaluate(
        self,
        subject: Subject,
        *,
        now: datetime,
        flag_keys: Collection[str] | None = None,
        runtime: Runtime = Runtime.ALL,
        evaluation_contexts: Collection[str] | None = None,
    ) -> dict[str, FlagResult]:
        """Evaluate the snapshot's flags for one subject.

        Args:
            subject: who to evaluate for.
            now: the evaluation instant (timezone-aware); relative date filters are anchored to it.
            flag_keys: evaluate only these flags and the flags they depend on (``None`` = all).
            runtime: the request's runtime (flags for another runtime are omitted).
            evaluation_contexts: the request's evaluation contexts (flags tagged only with others are omitted).

        Returns:
            One result per evaluated flag, by key. Inactive and hidden flags are omitted (the server omits them
            from every response); requested dependencies are included, as the server returns every flag it
            evaluated. A flag whose predicate fails has a failed result; the other flags are unaffected.
        """
        if flag_keys is None and runtime is Runtime.ALL and not evaluation_contexts:
            plan = self._default_plan
        else:
            plan = self.plan(flag_keys, runtime, evaluation_contexts)
        values: dict[str, FlagValue] = dict(plan.seed)
        state = self._subject_state(subject, now, values)
        dependencies = plan.dependencies
        results = plan.slots.copy()
        evaluate = evaluate_flag  # a local: this loop runs for every flag of every request
        for flag in plan.flags:
            key = flag.key
            try:
                result = evaluate(flag, state)
            except PropertyMatchError as exc:
                result = flag.failure(exc.code)
            results[key] = result
            # A failed flag has no value: the server records values of successful evaluations only.
            if key in dependencies and result.error_code is None:
                variant = result.variant  # FlagResult.value, without the property call
                values[key] = variant if variant is not None else result.enabled
        return results

    def plan(
        self,
        flag_keys: Collection[str] | None = None,
        runtime: Runtime = Runtime.ALL,
        evaluation_contexts: Collection[str] | None = None,
    ) -> EvaluationPlan:
        """The evaluation plan of a kind of request (cached: requests repeat the same few shapes)."""
        key: _PlanKey = (
            None if flag_keys is None else frozenset(flag_keys),
            runtime,
            frozenset(evaluation_contexts) if evaluation_contexts else None,
        )
        cached = self._plans.get(key)
        if cached is None:
            cached = self._build_plan(*key)
            if len(self._plans) >= _PLAN_CACHE_SIZE:
                self._plans.clear()
            self._plans[key] = cached
        return cached

    def _build_plan(
        self, flag_keys: frozenset[str] | None, runtime: Runtime, contexts: frozenset[str] | None
    ) -> EvaluationPlan:
        wanted: set[str] | None = None
        if flag_keys is not None:
            wanted = {key for key in flag_keys if key in self.flags}
            for key in list(wanted):
                wanted |= self._transitive.get(key, frozenset())
        selected: list[CompiledFlag] = []
        seed: dict[str, FlagValue] = {}
        for flag in self.flags.values():
            if wanted is not None and flag.key not in wanted:
                continue
            if flag.active and is_flag_visible(flag.evaluation_runtime, flag.evaluation_contexts, runtime, contexts):
                selected.append(flag)
            else:
                seed[flag.key] = False
        read = {dep for flag in selected for dep in self._transitive.get(flag.key, frozenset())}
        return EvaluationPlan(
            flags=tuple(selected),
            seed={key: value for key, value in seed.items() if key in read},
            dependencies=frozenset(flag.key for flag in selected if flag.key in read),
            slots={flag.key: flag.seed for flag in selected},
        )

    def _subject_state(self, subject: Subject, now: datetime, flag_values: dict[str, FlagValue]) -> SubjectState:
        indexes = self.group_type_indexes
        group_keys: dict[int, bytes] = {}
        for name, raw_key in subject.groups.items():
            index = indexes.get(name)
            group_key = normalize_identifier(raw_key)
            if index is not None and group_key:
                group_keys[index] = group_key.encode("utf-8", "surrogatepass")
        group_properties = {
            indexes[name]: properties for name, properties in subject.group_properties.items() if name in indexes
        }
        match_input = MatchInput(
            person_properties=subject.person_properties,
            group_properties=group_properties,
            static_cohorts=subject.static_cohorts,
            flag_values=flag_values,
            now=now,
        )
        return SubjectState(
            match_input=match_input,
            distinct_id=truncate_distinct_id(subject.distinct_id).encode("utf-8", "surrogatepass"),
            device_id=subject.device_id.encode("utf-8", "surrogatepass") if subject.device_id else None,
            anon_distinct_id=(
                subject.anon_distinct_id.encode("utf-8", "surrogatepass")
                if subject.anon_distinct_id is not None
                else None
            ),
            hash_key_overrides=subject.hash_key_overrides,
            group_keys=group_keys,
        )
