"""In-memory ``CohortRepo``."""

from __future__ import annotations

import builtins
import itertools
from collections.abc import Sequence

import msgspec

from flagcore.domain.cohorts import Cohort, NewCohort
from flagcore.ports.cohorts import CohortPage, CohortQuery, CohortRepo


class MemoryCohortRepo(CohortRepo):
    def __init__(self) -> None:
        self._cohorts: dict[int, Cohort] = {}
        self._members: dict[int, frozenset[int]] = {}
        self._next = itertools.count(1)

    def fork(self) -> MemoryCohortRepo:
        fork = MemoryCohortRepo()
        fork._cohorts = dict(self._cohorts)
        fork._members = dict(self._members)
        fork._next = self._next
        return fork

    def adopt(self, fork: MemoryCohortRepo) -> None:
        self._cohorts = fork._cohorts
        self._members = fork._members

    async def create(self, cohort: NewCohort) -> Cohort:
        created = Cohort(
            id=next(self._next),
            project_id=cohort.project_id,
            name=cohort.name,
            description=cohort.description,
            filters=dict(cohort.filters),
            is_static=cohort.is_static,
            is_calculating=cohort.is_calculating,
            created_by_id=cohort.created_by_id,
            created_at=cohort.created_at,
        )
        self._cohorts[created.id] = created
        return created

    async def get(self, project_id: int, cohort_id: int) -> Cohort | None:
        cohort = self._cohorts.get(cohort_id)
        return cohort if cohort is not None and cohort.project_id == project_id else None

    async def save(self, cohort: Cohort) -> Cohort:
        current = self._cohorts[cohort.id]
        saved = msgspec.structs.replace(cohort, project_id=current.project_id, version=current.version + 1)
        self._cohorts[cohort.id] = saved
        return saved

    async def list(self, project_id: int, query: CohortQuery) -> CohortPage:
        needle = (query.search or "").lower()
        matching = [
            c
            for c in sorted(self._cohorts.values(), key=lambda c: (c.created_at, c.id), reverse=True)
            if c.project_id == project_id
            and not c.deleted
            and (query.type is None or c.is_static == (query.type == "static"))
            and (not needle or needle in (c.name or "").lower())
        ]
        return CohortPage(count=len(matching), items=matching[query.offset : query.offset + query.limit])

    async def live(self, project_id: int) -> builtins.list[Cohort]:
        return sorted(
            (c for c in self._cohorts.values() if c.project_id == project_id and not c.deleted), key=lambda c: c.id
        )

    async def add_members(self, cohort_id: int, person_ids: Sequence[int]) -> int:
        current = self._members.get(cohort_id, frozenset())
        added = set(person_ids) - current
        self._members[cohort_id] = current | added
        return len(added)

    async def remove_member(self, cohort_id: int, person_id: int) -> bool:
        current = self._members.get(cohort_id, frozenset())
        if person_id not in current:
            return False
        self._members[cohort_id] = current - {person_id}
        return True

    async def members(self, cohort_id: int, *, limit: int, offset: int) -> builtins.list[int]:
        return sorted(self._members.get(cohort_id, frozenset()))[offset : offset + limit]

    async def member_count(self, cohort_id: int) -> int:
        return len(self._members.get(cohort_id, frozenset()))

    async def memberships(self, person_id: int) -> frozenset[int]:
        return frozenset(c for c, members in self._members.items() if person_id in members)

    async def move_memberships(self, from_person: int, to_person: int) -> None:
        for cohort_id, members in list(self._members.items()):
            if from_person in members:
                self._members[cohort_id] = (members - {from_person}) | {to_person}

    async def forget_person(self, person_id: int) -> None:
        for cohort_id, members in list(self._members.items()):
            if person_id in members:
                self._members[cohort_id] = members - {person_id}
