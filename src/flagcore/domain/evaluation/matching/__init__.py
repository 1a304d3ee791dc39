"""Property matching: compiles PostHog property filters and cohorts into predicates.

Semantics are those of PostHog's Rust flag server (spec ``evaluation.md`` sections 5-7, server column). Compile
once per project snapshot, then call the predicates once per subject with a :class:`MatchInput`.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from typing import Any

from flagcore.domain.evaluation.matching.compiler import PropertyCompiler
from flagcore.domain.evaluation.matching.context import (
    CompileContext,
    FlagValue,
    MatchInput,
    Predicate,
    PropertyMatchError,
)

__all__ = (
    "CompileContext",
    "FlagValue",
    "MatchInput",
    "Predicate",
    "PropertyCompiler",
    "PropertyMatchError",
    "compile_properties",
    "compile_property_group",
)

# CompileContext is neither hashable (it holds dicts) nor weak-referenceable (slots), so compilers are cached
# by identity; each entry keeps its context alive, so an id cannot be reused while its entry exists.
_CACHE_SIZE = 8
_compilers: OrderedDict[int, tuple[CompileContext, PropertyCompiler]] = OrderedDict()
_lock = threading.Lock()


def _compiler_for(ctx: CompileContext) -> PropertyCompiler:
    with _lock:
        entry = _compilers.get(id(ctx))
        if entry is not None and entry[0] is ctx:
            _compilers.move_to_end(id(ctx))
            return entry[1]
        compiler = PropertyCompiler(ctx)
        _compilers[id(ctx)] = (ctx, compiler)
        while len(_compilers) > _CACHE_SIZE:
            _compilers.popitem(last=False)
        return compiler


def compile_properties(
    filters: Sequence[Mapping[str, Any]], ctx: CompileContext, *, aggregation: int | None
) -> Predicate:
    """Compile one condition's property filters (AND; an empty list is always true).

    Args:
        filters: the condition's ``properties`` list (person, group, cohort and flag filters).
        ctx: project-wide compile facts; cohorts it names are compiled once per context and shared.
        aggregation: the condition's effective group type index (None = person); the group of ``group``
            filters without their own ``group_type_index``.

    Returns:
        A predicate over :class:`MatchInput`. It raises :class:`PropertyMatchError` when the condition refers
        to a cohort that is missing (``dependency_not_found_cohort``) or cyclic (``dependency_cycle_cohort``).
    """
    return _compiler_for(ctx).properties(filters, aggregation=aggregation)


def compile_property_group(group: Mapping[str, Any], ctx: CompileContext) -> Predicate:
    """Compile a cohort-style property group (nested AND/OR, ``negation`` honoured) on person properties."""
    return _compiler_for(ctx).group(group)
