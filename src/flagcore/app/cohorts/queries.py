"""Use cases: read cohorts and their members."""

from __future__ import annotations

import msgspec

from flagcore.domain.cohorts import Cohort, CohortNotFoundError
from flagcore.domain.persons import Person
from flagcore.ports.cohorts import CohortPage, CohortQuery, CohortRepo
from flagcore.ports.persons import PersonRepo


class GetCohort:
    def __init__(self, cohorts: CohortRepo) -> None:
        self._cohorts = cohorts

    async def execute(self, project_id: int, cohort_id: int) -> Cohort:
        """The cohort (deleted ones too, as PostHog shows them).

        Raises:
            CohortNotFoundError: absent, or another project's.
        """
        cohort = await self._cohorts.get(project_id, cohort_id)
        if cohort is None:
            raise CohortNotFoundError
        return cohort


class ListCohorts:
    def __init__(self, cohorts: CohortRepo) -> None:
        self._cohorts = cohorts

    async def execute(self, project_id: int, query: CohortQuery) -> CohortPage:
        """A page of the project's live cohorts."""
        return await self._cohorts.list(project_id, query)


class CohortMembers(msgspec.Struct, frozen=True, kw_only=True):
    persons: list[Person]
    has_more: bool


class ListCohortPersons:
    def __init__(self, cohorts: CohortRepo, persons: PersonRepo) -> None:
        self._cohorts = cohorts
        self._persons = persons

    async def execute(self, project_id: int, cohort_id: int, *, limit: int, offset: int) -> CohortMembers:
        """A page of a static cohort's persons (dynamic cohorts have no stored members: an empty page).

        Raises:
            CohortNotFoundError: absent, or another project's.
        """
        if await self._cohorts.get(project_id, cohort_id) is None:
            raise CohortNotFoundError
        ids = await self._cohorts.members(cohort_id, limit=limit + 1, offset=offset)
        persons = [p for p in [await self._persons.get(project_id, i) for i in ids[:limit]] if p is not None]
        return CohortMembers(persons=persons, has_more=len(ids) > limit)
