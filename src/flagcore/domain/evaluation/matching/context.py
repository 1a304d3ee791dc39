"""Inputs shared by compiled property predicates.

This module is the seam between the property matcher (this package) and the flag-level engine
(``flagcore.domain.evaluation``): the engine builds one :class:`MatchInput` per subject and flag stage and calls
the predicates that :func:`flagcore.domain.evaluation.matching.compile_properties` returned.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

from flagcore.domain.errors import FlagcoreError

#: A flag's evaluated value as other flags see it: ``False``, ``True`` or a variant key.
FlagValue = bool | str


@dataclass(slots=True)
class MatchInput:
    """Everything a property predicate may read for one subject.

    Attributes:
        person_properties: the subject's person properties (request overrides already merged in).
        group_properties: group properties by group type *index* (the engine maps names to indexes).
        static_cohorts: ids of the static cohorts the person belongs to (the caller looks them up).
        flag_values: values of flags already evaluated for this subject, by flag *key* (dependencies are
            evaluated before their dependents, so every key a compiled filter names is present).
        now: the evaluation instant, timezone-aware (the clock is an input: no global state).
    """

    person_properties: Mapping[str, Any]
    group_properties: Mapping[int, Mapping[str, Any]] = field(default_factory=dict)
    static_cohorts: frozenset[int] = frozenset()
    flag_values: Mapping[str, FlagValue] = field(default_factory=dict)
    now: datetime | None = None


@dataclass(frozen=True, slots=True)
class CompileContext:
    """Project-wide facts needed to compile predicates once.

    Attributes:
        timezone: the project timezone; naive absolute dates in filters are read in it and relative dates are
            anchored to its wall clock.
        property_matching_version: 1 (default, boolean coercion in ``exact``) or 2 (explicit exact matching).
        cohorts: the feed's ``cohorts`` map, cohort id (string) to property group, for dynamic cohorts.
        static_cohort_ids: ids of cohorts known to be static (membership comes from ``MatchInput.static_cohorts``).
    """

    timezone: tzinfo
    property_matching_version: int = 1
    cohorts: Mapping[str, Any] = field(default_factory=dict)
    static_cohort_ids: frozenset[int] = frozenset()


#: A compiled predicate: True iff the subject matches. Pure, no I/O.
Predicate = Callable[[MatchInput], bool]


class PropertyMatchError(FlagcoreError):
    """A filter could not be evaluated for this subject (the flag is reported as failed, not as false).

    ``code`` uses PostHog's evaluation error codes, e.g. ``dependency_not_found_cohort``.
    """

    code = "evaluation_error"
