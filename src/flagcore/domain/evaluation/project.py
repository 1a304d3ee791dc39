"""Compile a project's definitions document into a :class:`CompiledSnapshot` (the snapshot half of "compile once")."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from itertools import chain
from typing import Any
from zoneinfo import ZoneInfo

from flagcore.domain.evaluation.compiled import CompiledFlag
from flagcore.domain.evaluation.compiler import FlagIdentity, compile_flag, fixed_flag
from flagcore.domain.evaluation.definitions import ParsedDefinitions, RawFlag, parse_definitions
from flagcore.domain.evaluation.dependencies import (
    DependencyPlan,
    KeyResolver,
    cohort_references,
    make_resolver,
    plan_dependencies,
    rewrite_flag_filters,
    rewrite_property_group,
)
from flagcore.domain.evaluation.matching import CompileContext, PropertyCompiler
from flagcore.domain.evaluation.model import FLAG_DATA_PARSING_ERROR, FlagResult, Reason
from flagcore.domain.evaluation.needs import property_needs
from flagcore.domain.evaluation.snapshot import CompiledSnapshot

__all__ = ("compile_snapshot",)


def compile_snapshot(
    definitions: Mapping[str, Any] | bytes | str,
    *,
    timezone: str = "UTC",
    static_cohort_ids: Collection[int] = (),
) -> CompiledSnapshot:
    """Compile a definitions document (the local-evaluation feed: ``flags``, ``group_type_mapping``, ``cohorts``).

    Flag dependencies may name flags by id (stored form) or by key with a ``dependency_chain`` (feed form).
    Deleted flags are ignored. A flag whose definition cannot be read or compiled becomes a failed result
    (``flag_data_parsing_error``); one with missing, cyclic or transitively broken dependencies evaluates to
    ``false`` with reason ``missing_dependency``. Neither prevents the other flags from compiling.

    Args:
        definitions: the document, as JSON text or decoded.
        timezone: the project's IANA timezone (naive dates in filters are read in it).
        static_cohort_ids: ids of the project's static cohorts (membership comes with each subject).

    Returns:
        The compiled snapshot.

    Raises:
        msgspec.DecodeError: the text is not JSON.
        msgspec.ValidationError: the document itself has the wrong shape.
        zoneinfo.ZoneInfoNotFoundError: unknown timezone.
    """
    defs = parse_definitions(definitions)
    identities = [(flag.key, flag.id) for flag in defs.flags] + [(flag.key, flag.id) for flag in defs.unreadable]
    resolve = make_resolver(
        {key for key, _ in identities}, {flag_id: key for key, flag_id in identities if flag_id is not None}
    )
    cohorts = _CohortIndex.build(defs.cohorts, resolve)
    static = frozenset(static_cohort_ids) | frozenset(defs.static_cohorts)
    ctx = CompileContext(
        timezone=ZoneInfo(timezone),
        property_matching_version=defs.property_matching_version,
        cohorts=cohorts.groups,
        static_cohort_ids=static,
    )
    conditions: dict[str, list[list[dict[str, Any]]]] = {}
    direct: dict[str, frozenset[str]] = {}
    missing: set[str] = set()
    for flag in defs.flags:
        conditions[flag.key], deps, flag_missing = _rewrite_flag(flag, resolve, cohorts)
        direct[flag.key] = frozenset(deps)
        if flag_missing:
            missing.add(flag.key)
    for unreadable in defs.unreadable:
        direct[unreadable.key] = frozenset()
    plan = plan_dependencies(direct, missing)
    compiled = _compile_flags(defs, conditions, PropertyCompiler(ctx), plan)
    return CompiledSnapshot(
        flags=compiled,
        group_type_indexes=_group_type_indexes(defs.group_type_mapping),
        transitive=plan.transitive,
        has_dependency_cycles=plan.has_cycles,
        needs=property_needs(defs, static),
    )


def _compile_flags(
    defs: ParsedDefinitions,
    conditions: Mapping[str, list[list[dict[str, Any]]]],
    matcher: PropertyCompiler,
    plan: DependencyPlan,
) -> dict[str, CompiledFlag]:
    by_key = {flag.key: flag for flag in defs.flags}
    unreadable = {flag.key: flag for flag in defs.unreadable}
    compiled: dict[str, CompiledFlag] = {}
    for key in chain(chain.from_iterable(plan.stages), plan.broken):
        if key in unreadable:
            bad = unreadable[key]
            identity = FlagIdentity(key=key, flag_id=bad.id, version=bad.version)
            compiled[key] = fixed_flag(identity, _failure(identity), active=bad.active)
        elif key in plan.broken:
            flag = by_key[key]
            identity = FlagIdentity(key=key, flag_id=flag.id, version=flag.version)
            compiled[key] = fixed_flag(identity, identity.result(Reason.MISSING_DEPENDENCY), active=flag.active)
        else:
            compiled[key] = _compile_one(by_key[key], conditions[key], matcher)
    return compiled


def _compile_one(flag: RawFlag, conditions: list[list[dict[str, Any]]], matcher: PropertyCompiler) -> CompiledFlag:
    try:
        return compile_flag(flag, conditions, matcher)
    # The matcher may reject any filter shape in its own way; one bad flag must never fail the whole snapshot.
    except Exception:  # noqa: BLE001
        identity = FlagIdentity(key=flag.key, flag_id=flag.id, version=flag.version)
        return fixed_flag(identity, _failure(identity), active=flag.active)


def _failure(identity: FlagIdentity) -> FlagResult:
    return FlagResult(
        key=identity.key,
        enabled=False,
        reason=FLAG_DATA_PARSING_ERROR,
        error_code=FLAG_DATA_PARSING_ERROR,
        flag_id=identity.flag_id,
        version=identity.version,
    )


def _rewrite_flag(
    flag: RawFlag, resolve: KeyResolver, cohorts: _CohortIndex
) -> tuple[list[list[dict[str, Any]]], set[str], bool]:
    rewritten: list[list[dict[str, Any]]] = []
    dependencies: set[str] = set()
    missing = False
    for condition in (flag.filters.groups if flag.filters else None) or []:
        properties, deps, condition_missing = rewrite_flag_filters(condition.properties or [], resolve)
        for cohort_id in cohort_references(properties):
            cohort_deps, cohort_missing = cohorts.dependencies(cohort_id)
            deps |= cohort_deps
            condition_missing = condition_missing or cohort_missing
        rewritten.append(properties)
        dependencies |= deps
        missing = missing or condition_missing
    return rewritten, dependencies, missing


@dataclass(frozen=True, slots=True)
class _CohortIndex:
    """Cohort groups with flag filters rewritten to keys, and the flags each cohort reads (through nesting)."""

    groups: Mapping[str, Any]
    flags: Mapping[str, frozenset[str]]
    missing: frozenset[str]
    nested: Mapping[str, frozenset[str]]

    @classmethod
    def build(cls, cohorts: Mapping[str, Any], resolve: KeyResolver) -> _CohortIndex:
        groups: dict[str, Any] = {}
        flags: dict[str, frozenset[str]] = {}
        missing: set[str] = set()
        nested: dict[str, frozenset[str]] = {}
        for cohort_id, group in cohorts.items():
            groups[cohort_id], deps, cohort_missing = rewrite_property_group(group, resolve)
            flags[cohort_id] = frozenset(deps)
            nested[cohort_id] = frozenset(_nested_cohorts(group))
            if cohort_missing:
                missing.add(cohort_id)
        return cls(groups=groups, flags=flags, missing=frozenset(missing), nested=nested)

    def dependencies(self, cohort_id: str) -> tuple[set[str], bool]:
        """Flag keys a cohort reads, directly or through nested cohorts, and whether one of them is missing."""
        seen: set[str] = set()
        todo = [cohort_id]
        deps: set[str] = set()
        while todo:
            current = todo.pop()
            if current in seen:
                continue
            seen.add(current)
            deps |= self.flags.get(current, frozenset())
            todo.extend(self.nested.get(current, frozenset()))
        return deps, not seen.isdisjoint(self.missing)


def _nested_cohorts(group: Any) -> Iterator[str]:  # noqa: ANN401 - JSON
    if not isinstance(group, dict) or not isinstance(group.get("values"), list):
        return
    for entry in group["values"]:
        if isinstance(entry, dict) and entry.get("type") == "cohort" and entry.get("value") is not None:
            yield str(entry["value"])
        else:
            yield from _nested_cohorts(entry)


def _group_type_indexes(mapping: Mapping[str, str]) -> dict[str, int]:
    indexes: dict[str, int] = {}
    for index, name in mapping.items():
        if index.lstrip("-").isdigit():
            indexes[name] = int(index)
    return indexes
