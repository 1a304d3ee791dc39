"""One condition's properties compiled on their own, for counting who they match (``user_blast_radius``).

The same matcher as flag evaluation, so the count agrees with what ``/flags`` would answer for each person or
group; the rollout percentage is not applied (PostHog leaves that to the frontend).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flagcore.domain.evaluation.matching import CompileContext, MatchInput, PropertyMatchError, compile_properties


class ConditionMatcher:
    """A condition's property filters, compiled once, matched against many persons or groups.

    Args:
        properties: the condition's ``properties`` (person, group and cohort filters).
        cohorts: the project's dynamic cohorts, id (string) to property group, for cohort filters.
        static_cohort_ids: the project's static cohorts (membership comes with each person).
        timezone: the project's IANA timezone.
        group_type_index: the group type the condition counts (None = persons).
    """

    def __init__(
        self,
        properties: Sequence[Mapping[str, Any]],
        *,
        cohorts: Mapping[str, Any],
        static_cohort_ids: Collection[int],
        timezone: str = "UTC",
        group_type_index: int | None = None,
    ) -> None:
        ctx = CompileContext(
            timezone=ZoneInfo(timezone), cohorts=dict(cohorts), static_cohort_ids=frozenset(static_cohort_ids)
        )
        self._predicate = compile_properties(list(properties), ctx, aggregation=group_type_index)
        self._group_type_index = group_type_index

    def person(
        self, properties: Mapping[str, Any], *, static_cohorts: frozenset[int] = frozenset(), now: datetime
    ) -> bool:
        """Whether a person with these (already completed) properties matches; a failed evaluation does not."""
        return self._matches(MatchInput(person_properties=properties, static_cohorts=static_cohorts, now=now))

    def group(self, group_key: str, properties: Mapping[str, Any], *, now: datetime) -> bool:
        """Whether a group of the condition's type matches (``$group_key`` reads the group's key)."""
        index = self._group_type_index if self._group_type_index is not None else 0
        group_properties = {index: {**properties, "$group_key": group_key}}
        return self._matches(MatchInput(person_properties={}, group_properties=group_properties, now=now))

    def _matches(self, subject: MatchInput) -> bool:
        try:
            return self._predicate(subject)
        except PropertyMatchError:
            return False
