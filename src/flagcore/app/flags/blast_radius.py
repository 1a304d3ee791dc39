"""Use case: how many persons (or groups) one release condition matches (``user_blast_radius/``, persons spec §4.1).

The condition is compiled with the evaluation matcher and run over the project's persons in keyset pages of
:data:`PAGE`, at most :data:`MAX_SCANNED` of them: the work of one request is bounded whatever the project's size.
A project with more persons gets an estimate: the matched share of the scanned persons times the total (the
persons scanned are the oldest ones; the docs say so). Rollout percentages are not applied, as in PostHog.
"""

from __future__ import annotations

from typing import Any, Final

import msgspec

from flagcore.app.cohorts.members import member_sets, memberships
from flagcore.domain.cohorts import feed_cohorts
from flagcore.domain.errors import InvalidInputError
from flagcore.domain.evaluation.condition import ConditionMatcher
from flagcore.domain.flags import InvalidFiltersError
from flagcore.domain.flags.cohort_refs import UnknownCohortError, cohort_id_of
from flagcore.domain.identity import Project
from flagcore.domain.persons import with_initial_properties
from flagcore.ports.clock import Clock
from flagcore.ports.cohorts import CohortRepo
from flagcore.ports.persons import GroupQuery, GroupRepo, PersonRepo

PAGE: Final = 1000
MAX_SCANNED: Final = 100_000
_MAX_GROUP_TYPE_INDEX: Final = 4


class BlastRadius(msgspec.Struct, frozen=True, kw_only=True):
    users_affected: int
    total_users: int


class ComputeBlastRadius:
    def __init__(self, persons: PersonRepo, groups: GroupRepo, cohorts: CohortRepo, clock: Clock) -> None:
        self._persons = persons
        self._groups = groups
        self._cohorts = cohorts
        self._clock = clock

    async def execute(self, project: Project, condition: Any, group_type_index: Any) -> BlastRadius:  # noqa: ANN401
        """Count who the condition's properties match.

        Raises:
            InvalidInputError: no condition, malformed properties, a group index properties disagree with.
            UnknownCohortError: a cohort filter names no live cohort of the project.
        """
        if not isinstance(condition, dict):
            raise InvalidInputError("Missing condition for which to get blast radius")
        properties = condition.get("properties") or []
        if not isinstance(properties, list) or not all(isinstance(p, dict) for p in properties):
            raise InvalidFiltersError("Invalid condition properties")
        index = _group_type_index(group_type_index, properties)
        live = await self._cohorts.live(project.id)
        _check_cohorts(properties, {c.id for c in live})
        groups, statics = feed_cohorts([{"groups": [{"properties": properties}]}], live)
        matcher = ConditionMatcher(
            properties,
            cohorts=groups,
            static_cohort_ids=statics,
            timezone=project.timezone,
            group_type_index=index,
        )
        if index is not None:
            return await self._groups_matching(project.id, index, matcher)
        return await self._persons_matching(project.id, matcher, statics, filtered=bool(properties))

    async def _persons_matching(
        self, project_id: int, matcher: ConditionMatcher, statics: list[int], *, filtered: bool
    ) -> BlastRadius:
        total = await self._persons.count(project_id)
        if not filtered:
            return BlastRadius(users_affected=total, total_users=total)
        sets = await member_sets(self._cohorts, statics)
        now = self._clock.now()
        matched = scanned = 0
        after = 0
        while scanned < MAX_SCANNED:
            page = await self._persons.scan(project_id, after_id=after, limit=min(PAGE, MAX_SCANNED - scanned))
            if not page:
                break
            for person in page:
                first = person.distinct_ids[0] if person.distinct_ids else ""
                props = with_initial_properties({**person.properties, "distinct_id": first})
                if matcher.person(props, static_cohorts=memberships(person.id, sets), now=now):
                    matched += 1
            scanned += len(page)
            after = page[-1].id
        return BlastRadius(users_affected=_estimate(matched, scanned, total), total_users=total)

    async def _groups_matching(self, project_id: int, index: int, matcher: ConditionMatcher) -> BlastRadius:
        total = await self._groups.count(project_id, index)
        now = self._clock.now()
        matched = scanned = 0
        while scanned < MAX_SCANNED:
            query = GroupQuery(group_type_index=index, limit=PAGE, offset=scanned)
            page = await self._groups.list(project_id, query)
            matched += sum(1 for g in page.items if matcher.group(g.group_key, g.properties, now=now))
            scanned += len(page.items)
            if not page.has_more:
                break
        return BlastRadius(users_affected=_estimate(matched, scanned, total), total_users=total)


def _estimate(matched: int, scanned: int, total: int) -> int:
    if scanned >= total or scanned == 0:
        return min(matched, total)
    return min(total, round(matched * total / scanned))


def _group_type_index(raw: Any, properties: list[dict[str, Any]]) -> int | None:  # noqa: ANN401 - JSON
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw <= _MAX_GROUP_TYPE_INDEX:
        raise InvalidInputError("Invalid group type index for feature flag condition.", attr="group_type_index")
    for prop in properties:
        if prop.get("key") == "$group_key":
            continue
        if prop.get("type") != "group" or prop.get("group_type_index") != raw:
            raise InvalidInputError("Invalid group type index for feature flag condition.")
    index: int = raw
    return index


def _check_cohorts(properties: list[dict[str, Any]], live: set[int]) -> None:
    """Cohort filters must name a live cohort (PostHog answers 400 for unknown and deleted ones)."""
    for prop in properties:
        if prop.get("type") == "cohort":
            cohort_id = cohort_id_of(prop.get("value"))
            if cohort_id is None or cohort_id not in live:
                raise UnknownCohortError(prop.get("value"))
