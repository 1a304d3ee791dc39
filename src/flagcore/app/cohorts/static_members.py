"""Use cases: add persons to and remove a person from a static cohort (persons spec §3.5)."""

from __future__ import annotations

import functools
import uuid
from typing import Any, Final

import msgspec

from flagcore.domain.cohorts import Cohort, CohortNotFoundError
from flagcore.domain.errors import InvalidInputError, NotFoundError
from flagcore.ports.snapshots import ProjectSnapshots
from flagcore.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory

#: PostHog's ``DEFAULT_COHORT_INSERT_BATCH_SIZE``: most person ids one request may add.
MAX_PERSONS_PER_ADD: Final = 1000


class AddPersonsToStaticCohort:
    def __init__(self, transactions: UnitOfWorkFactory, snapshots: ProjectSnapshots) -> None:
        self._transactions = transactions
        self._snapshots = snapshots

    async def execute(self, project_id: int, cohort_id: int, person_ids: Any) -> Cohort:  # noqa: ANN401 - JSON
        """Add the persons with these UUIDs; the cohort with its new count.

        Raises:
            CohortNotFoundError, InvalidInputError: PostHog's cases and messages.
        """
        if not isinstance(person_ids, list):
            raise InvalidInputError("person_ids must be a list", attr="person_ids")
        if not person_ids:
            raise InvalidInputError("person_ids cannot be empty", attr="person_ids")
        if len(person_ids) > MAX_PERSONS_PER_ADD:
            raise InvalidInputError("List size exceeds limit", attr="person_ids")
        wanted = [str(p) for p in person_ids if isinstance(p, str) and _is_uuid(p)]
        async with self._transactions.begin() as uow:
            cohort = await _static(uow, project_id, cohort_id, "Can only add users to static cohorts")
            persons = await uow.persons.by_uuids(project_id, wanted)
            if not persons:
                raise InvalidInputError("No valid users to add to cohort", attr="person_ids")
            await uow.cohorts.add_members(cohort.id, [p.id for p in persons])
            saved = await _recount(uow, cohort)
            uow.after_commit(functools.partial(self._snapshots.invalidate, project_id))
            await uow.commit()
        return saved


class RemovePersonFromStaticCohort:
    def __init__(self, transactions: UnitOfWorkFactory) -> None:
        self._transactions = transactions

    async def execute(self, project_id: int, cohort_id: int, person_id: Any) -> Cohort:  # noqa: ANN401 - JSON
        """Remove the person with this UUID; the cohort with its new count.

        Raises:
            CohortNotFoundError, InvalidInputError, NotFoundError: PostHog's cases and messages.
        """
        if person_id is None:
            raise InvalidInputError("person_id is required", attr="person_id")
        if not isinstance(person_id, str):
            raise InvalidInputError("person_id must be a string", attr="person_id")
        if not _is_uuid(person_id):
            raise InvalidInputError("person_id must be a valid UUID", attr="person_id")
        async with self._transactions.begin() as uow:
            cohort = await _static(uow, project_id, cohort_id, "Can only remove users from static cohorts")
            persons = await uow.persons.by_uuids(project_id, [person_id])
            if not persons:
                raise NotFoundError("Person with this UUID does not exist in the cohort's team")
            if not await uow.cohorts.remove_member(cohort.id, persons[0].id):
                raise NotFoundError("Person is not part of the cohort")
            saved = await _recount(uow, cohort)
            await uow.commit()
        return saved


async def _static(uow: UnitOfWork, project_id: int, cohort_id: int, message: str) -> Cohort:
    await uow.lock_project(project_id)
    cohort = await uow.cohorts.get(project_id, cohort_id)
    if cohort is None or cohort.deleted:
        raise CohortNotFoundError
    if not cohort.is_static:
        raise InvalidInputError(message)
    return cohort


async def _recount(uow: UnitOfWork, cohort: Cohort) -> Cohort:
    count = await uow.cohorts.member_count(cohort.id)
    return await uow.cohorts.save(msgspec.structs.replace(cohort, count=count))


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True
