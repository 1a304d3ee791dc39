"""Flag dependencies (spec §7): resolve ``type: flag`` filters to flag keys and order flags into stages.

Definitions name a dependency either by flag id (the stored form: ``key`` is the id) or by flag key (the feed form,
recognised by its ``dependency_chain`` list). The engine always names dependencies by key, so filters are
rewritten here before the property matcher compiles them.

Stages follow the server's layered topological sort: a flag is in stage *n* when all of its dependencies are in
earlier stages. A flag that names a flag that does not exist, that sits on a dependency cycle, or that depends
(transitively) on such a flag is *broken*: it evaluates to ``false`` with reason ``missing_dependency``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = (
    "DependencyPlan",
    "KeyResolver",
    "cohort_references",
    "make_resolver",
    "plan_dependencies",
    "rewrite_flag_filters",
    "rewrite_property_group",
)

#: Maps a ``type: flag`` filter to the key of the flag it names, or ``None`` when no such flag exists.
KeyResolver = Callable[[Mapping[str, Any]], str | None]


@dataclass(frozen=True, slots=True)
class DependencyPlan:
    """The evaluation order of a snapshot's flags.

    Attributes:
        stages: flag keys by stage; every dependency of a flag in stage *n* is in an earlier stage.
        broken: keys of flags with missing, cyclic or transitively broken dependencies (not in any stage).
        transitive: every flag key to the keys of all flags it depends on, directly or not.
        has_cycles: whether some flags depend on each other in a cycle.
    """

    stages: tuple[tuple[str, ...], ...]
    broken: frozenset[str]
    transitive: Mapping[str, frozenset[str]]
    has_cycles: bool


def make_resolver(flag_keys: Collection[str], flag_ids: Mapping[int, str]) -> KeyResolver:
    """Build the resolver of dependency filters for a snapshot's flags.

    Args:
        flag_keys: keys of every non-deleted flag (inactive ones included: they evaluate as false).
        flag_ids: flag id to key, for the same flags.

    Returns:
        A function from a ``type: flag`` filter to the dependency's key. Filters carrying ``dependency_chain``
        name the flag by key; others name it by id, and fall back to a key when the text is not a known id.
    """

    def resolve(prop: Mapping[str, Any]) -> str | None:
        reference = prop.get("key")
        if "dependency_chain" not in prop:
            flag_id = _as_id(reference)
            if flag_id is not None and flag_id in flag_ids:
                return flag_ids[flag_id]
        if isinstance(reference, str) and reference in flag_keys:
            return reference
        return None

    return resolve


def _as_id(reference: object) -> int | None:
    if isinstance(reference, bool):
        return None
    if isinstance(reference, int):
        return reference
    if isinstance(reference, str) and reference.isascii() and reference.isdigit():
        return int(reference)
    return None


def rewrite_flag_filters(
    properties: Sequence[Mapping[str, Any]], resolve: KeyResolver
) -> tuple[list[dict[str, Any]], set[str], bool]:
    """Rewrite the ``type: flag`` filters of one condition to name their dependency by key.

    Returns:
        The rewritten filters (other filters are copied unchanged), the dependency keys, and whether some
        dependency does not exist.
    """
    rewritten: list[dict[str, Any]] = []
    dependencies: set[str] = set()
    missing = False
    for prop in properties:
        if prop.get("type") != "flag":
            rewritten.append(dict(prop))
            continue
        key = resolve(prop)
        if key is None:
            missing = True
            rewritten.append(dict(prop))
        else:
            dependencies.add(key)
            rewritten.append({**prop, "key": key})
    return rewritten, dependencies, missing


def rewrite_property_group(group: Any, resolve: KeyResolver) -> tuple[Any, set[str], bool]:  # noqa: ANN401 - JSON
    """Rewrite the ``type: flag`` filters nested anywhere in a cohort's property group.

    Returns:
        The rewritten group, the dependency keys found in it, and whether some dependency does not exist.
    """
    if not isinstance(group, dict) or not isinstance(group.get("values"), list):
        return group, set(), False
    values: list[Any] = []
    dependencies: set[str] = set()
    missing = False
    for entry in group["values"]:
        if isinstance(entry, dict) and entry.get("type") == "flag":
            rewritten, deps, entry_missing = rewrite_flag_filters([entry], resolve)
            values.append(rewritten[0])
        else:
            nested, deps, entry_missing = rewrite_property_group(entry, resolve)
            values.append(nested)
        dependencies |= deps
        missing = missing or entry_missing
    return {**group, "values": values}, dependencies, missing


def cohort_references(properties: Sequence[Mapping[str, Any]]) -> Iterator[str]:
    """Ids (as text) of the cohorts that ``type: cohort`` filters in a condition name."""
    for prop in properties:
        if prop.get("type") == "cohort" and prop.get("value") is not None:
            yield str(prop["value"])


def plan_dependencies(direct: Mapping[str, frozenset[str]], missing: Collection[str]) -> DependencyPlan:
    """Order flags into stages with the server's layered topological sort (Kahn's algorithm).

    Args:
        direct: every flag key (in document order) to the keys of the flags it depends on directly; every
            dependency must itself be a key of ``direct``.
        missing: keys of flags that name a dependency that does not exist.

    Returns:
        The plan; cycle members and every flag depending on a broken flag are broken too.
    """
    broken = set(missing)
    pending = {key: len(deps) for key, deps in direct.items()}
    dependents: dict[str, list[str]] = {key: [] for key in direct}
    for key, deps in direct.items():
        for dep in deps:
            dependents[dep].append(key)
    transitive: dict[str, frozenset[str]] = {}
    stages: list[tuple[str, ...]] = []
    stage = [key for key, count in pending.items() if count == 0]
    while stage:
        for key in stage:
            closure: set[str] = set()
            for dep in direct[key]:
                closure.add(dep)
                closure |= transitive[dep]
                if dep in broken:
                    broken.add(key)
            transitive[key] = frozenset(closure)
        stages.append(tuple(stage))
        stage = _next_stage(stage, pending, dependents)
    cyclic = {key for key, count in pending.items() if count > 0}
    for key in cyclic:
        transitive[key] = _reachable(key, direct)
    broken |= cyclic
    healthy = (tuple(key for key in stage if key not in broken) for stage in stages)
    return DependencyPlan(
        stages=tuple(stage for stage in healthy if stage),
        broken=frozenset(broken),
        transitive=transitive,
        has_cycles=bool(cyclic),
    )


def _next_stage(stage: list[str], pending: dict[str, int], dependents: Mapping[str, list[str]]) -> list[str]:
    ready: list[str] = []
    for key in stage:
        for dependent in dependents[key]:
            pending[dependent] -= 1
            if pending[dependent] == 0:
                ready.append(dependent)
    return ready


def _reachable(start: str, direct: Mapping[str, frozenset[str]]) -> frozenset[str]:
    seen: set[str] = set()
    todo = list(direct[start])
    while todo:
        key = todo.pop()
        if key not in seen:
            seen.add(key)
            todo.extend(direct[key])
    return frozenset(seen)
