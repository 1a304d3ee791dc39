"""Storage of cohorts and of static cohorts' members."""

from __future__ import annotations

import builtins
from abc import abstractmethod
from collections.abc import Sequence
from typing import Literal, Protocol

import msgspec

from flagcore.domain.cohorts import Cohort, NewCohort


class CohortQuery(msgspec.Struct, frozen=True, kw_only=True):
    """A page of a project's live cohorts, newest first."""

    search: str | None = None
    type: Literal["static", "dynamic"] | None = None
    limit: int = 100
    offset: int = 0


class CohortPage(msgspec.Struct, frozen=True, kw_only=True):
    count: int
    items: list[Cohort]


class CohortRepo(Protocol):
    @abstractmethod
    async def create(self, cohort: NewCohort) -> Cohort:
        """Store a new cohort (version 0, not deleted) and return it with its id."""
        ...

    @abstractmethod
    async def get(self, project_id: int, cohort_id: int) -> Cohort | None:
        """The project's cohort, deleted or not; None if absent or another project's."""
        ...

    @abstractmethod
    async def save(self, cohort: Cohort) -> Cohort:
        """Replace the stored cohort's fields with ``cohort``'s; the version goes up by one."""
        ...

    @abstractmethod
    async def list(self, project_id: int, query: CohortQuery) -> CohortPage:
        """A page of the project's non-deleted cohorts, newest first, with the total count."""
        ...

    @abstractmethod
    async def live(self, project_id: int) -> builtins.list[Cohort]:
        """Every non-deleted cohort of the project, by id."""
        ...

    @abstractmethod
    async def add_members(self, cohort_id: int, person_ids: Sequence[int]) -> int:
        """Add persons to a static cohort (members already in are skipped); how many were added."""
        ...

    @abstractmethod
    async def remove_member(self, cohort_id: int, person_id: int) -> bool:
        """Remove a person from a static cohort; False if they were not a member."""
        ...

    @abstractmethod
    async def members(self, cohort_id: int, *, limit: int, offset: int) -> builtins.list[int]:
        """A page of a cohort's member person ids, in id order."""
        ...

    @abstractmethod
    async def member_count(self, cohort_id: int) -> int:
        """How many persons a static cohort holds."""
        ...

    @abstractmethod
    async def memberships(self, person_id: int) -> frozenset[int]:
        """Ids of the static cohorts a person belongs to."""
        ...

    @abstractmethod
    async def move_memberships(self, from_person: int, to_person: int) -> None:
        """Give ``to_person`` every membership of ``from_person`` (a merge), and drop ``from_person``'s."""
        ...

    @abstractmethod
    async def forget_person(self, person_id: int) -> None:
        """Drop a deleted person's memberships."""
        ...
