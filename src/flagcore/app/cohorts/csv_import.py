"""Use case: add the persons a CSV upload names to a static cohort (persons spec §3.5), in one transaction.

The upload is parsed (and refused) before anything is written; its size is bounded (``MAX_CSV_BYTES``), so the
import runs within the request: ids are resolved in batches of :data:`BATCH` (distinct ids and person UUIDs by
key; emails by the ``email`` property, one read of the project's persons per batch), the matches added, and the
cohort's count updated. Ids that name nobody are skipped, as PostHog skips them.
"""

from __future__ import annotations

import functools
from typing import Final

import msgspec

from flagcore.domain.cohorts import Cohort, CohortNotFoundError
from flagcore.domain.cohorts.csv_import import CohortCsvError, CsvIds
from flagcore.domain.persons import Person
from flagcore.ports.persons import PersonRepo
from flagcore.ports.snapshots import ProjectSnapshots
from flagcore.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory

BATCH: Final = 1000


class ImportCohortCsv:
    def __init__(self, transactions: UnitOfWorkFactory, snapshots: ProjectSnapshots) -> None:
        self._transactions = transactions
        self._snapshots = snapshots

    async def execute(self, project_id: int, cohort_id: int, upload: CsvIds) -> Cohort:
        """The cohort with the upload's persons added and its new count.

        Raises:
            CohortNotFoundError: no such live cohort.
            CohortCsvError: the cohort is not static.
        """
        async with self._transactions.begin() as uow:
            await uow.lock_project(project_id)
            cohort = await uow.cohorts.get(project_id, cohort_id)
            if cohort is None or cohort.deleted:
                raise CohortNotFoundError
            require_static(cohort)
            saved = await import_members(uow, project_id, cohort, upload)
            uow.after_commit(functools.partial(self._snapshots.invalidate, project_id))
            await uow.commit()
        return saved


def require_static(cohort: Cohort) -> None:
    """A CSV goes to static cohorts only.

    Raises:
        CohortCsvError: the cohort is not static.
    """
    if not cohort.is_static:
        raise CohortCsvError("A CSV can only be uploaded to a static cohort.")


async def import_members(uow: UnitOfWork, project_id: int, cohort: Cohort, upload: CsvIds) -> Cohort:
    """Add the upload's persons to the static ``cohort`` and save its new count, in the caller's transaction."""
    for start in range(0, len(upload.ids), BATCH):
        persons = await _resolve(uow.persons, project_id, upload.kind, upload.ids[start : start + BATCH])
        if persons:
            await uow.cohorts.add_members(cohort.id, [p.id for p in persons])
    count = await uow.cohorts.member_count(cohort.id)
    return await uow.cohorts.save(msgspec.structs.replace(cohort, count=count, is_calculating=False))


async def _resolve(persons: PersonRepo, project_id: int, kind: str, ids: list[str]) -> list[Person]:
    if kind == "distinct_id":
        found = await persons.by_distinct_ids(project_id, ids)
        return list({p.id: p for p in found.values()}.values())
    if kind == "person_id":
        return await persons.by_uuids(project_id, ids)
    return await persons.by_emails(project_id, ids)
