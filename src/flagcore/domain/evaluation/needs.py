"""Which stored properties a snapshot's flags can read (so ``/flags`` reads the person store only when needed).

``/flags`` overlays the request's properties on the stored person and group properties (persons spec §2.3); the
stores are read only when a flag reads a key the request did not send, or a static cohort (whose membership is
stored). Computed once per compiled snapshot.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import msgspec

from flagcore.domain.evaluation.definitions import ParsedDefinitions, RawCondition

__all__ = ("PropertyNeeds", "property_needs")


class PropertyNeeds(msgspec.Struct, frozen=True, kw_only=True):
    """What the flags of a snapshot read.

    Attributes:
        person_keys: person property keys read by conditions, directly or through dynamic cohorts.
        group_keys: group property keys read, by group type index.
        static_cohorts: the snapshot's flags reference static cohorts (membership is stored per person).
    """

    person_keys: frozenset[str] = frozenset()
    group_keys: Mapping[int, frozenset[str]] = msgspec.field(default_factory=dict)
    static_cohorts: bool = False

    def person_read_needed(self, sent: Mapping[str, Any]) -> bool:
        """Whether the person store must be read for a request that sent ``sent`` as person properties."""
        return self.static_cohorts or any(key not in sent for key in self.person_keys)

    def group_read_needed(self, index: int, sent: Mapping[str, Any]) -> bool:
        """Whether the group store must be read for one group of the request."""
        return any(key not in sent for key in self.group_keys.get(index, ()))


def property_needs(defs: ParsedDefinitions, static_cohort_ids: frozenset[int]) -> PropertyNeeds:
    """The stored properties ``defs``' active flags can read."""
    person: set[str] = set()
    groups: dict[int, set[str]] = {}
    cohorts: set[str] = set()
    for flag in defs.flags:
        if not flag.active or flag.filters is None:
            continue
        aggregation = flag.filters.aggregation_group_type_index
        for condition in _conditions(flag.filters.groups, flag.filters.super_groups):
            index = _condition_aggregation(condition, aggregation)
            for prop in condition.properties or []:
                _collect(prop, index, person, groups, cohorts)
    static = _expand_cohorts(cohorts, defs.cohorts, person, static_cohort_ids)
    return PropertyNeeds(
        person_keys=frozenset(person - {"distinct_id"}),
        group_keys={index: frozenset(keys) for index, keys in groups.items()},
        static_cohorts=static,
    )


def _conditions(*lists: list[RawCondition] | None) -> Iterator[RawCondition]:
    for conditions in lists:
        yield from conditions or []


def _condition_aggregation(condition: RawCondition, flag_level: int | None) -> int | None:
    explicit = condition.aggregation_group_type_index
    return flag_level if isinstance(explicit, msgspec.UnsetType) else explicit


def _collect(
    prop: Mapping[str, Any], index: int | None, person: set[str], groups: dict[int, set[str]], cohorts: set[str]
) -> None:
    kind, key = prop.get("type"), prop.get("key")
    if kind == "cohort":
        if prop.get("value") is not None:
            cohorts.add(str(prop["value"]))
    elif kind == "group":
        group_index = prop.get("group_type_index", index)
        if isinstance(group_index, int) and isinstance(key, str):
            groups.setdefault(group_index, set()).add(key)
    elif kind in (None, "person") and isinstance(key, str):
        person.add(key)


def _expand_cohorts(todo: Iterable[str], feed: Mapping[str, Any], person: set[str], static_ids: frozenset[int]) -> bool:
    """Add the person keys of referenced dynamic cohorts (nested too); whether a static one is referenced."""
    pending, seen, static = list(todo), set[str](), False
    while pending:
        cohort = pending.pop()
        if cohort in seen:
            continue
        seen.add(cohort)
        if cohort.isdigit() and int(cohort) in static_ids:
            static = True
            continue
        for leaf in _leaves(feed.get(cohort)):
            if leaf.get("type") == "cohort" and leaf.get("value") is not None:
                pending.append(str(leaf["value"]))
            elif isinstance(leaf.get("key"), str):
                person.add(leaf["key"])
    return static


def _leaves(group: Any) -> Iterator[Mapping[str, Any]]:  # noqa: ANN401 - JSON
    if not isinstance(group, dict):
        return
    values = group.get("values")
    if not isinstance(values, list):
        yield group
        return
    for entry in values:
        yield from _leaves(entry)
