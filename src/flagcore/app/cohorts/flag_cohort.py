"""Use cases: a static cohort of the persons a flag is enabled for (``create_static_cohort_for_flag/``, spec §4.2).

The request creates the cohort (through ``CreateCohort``) with ``is_calculating: true`` and answers at once; a
background job then scans the project's persons in keyset pages of :data:`PAGE`, evaluates the flag for each with
the project's compiled snapshot (stored properties, ``distinct_id`` = the person's first distinct id, static
cohort memberships), and adds each page's matches in one transaction, updating ``count`` as it goes: progress is
visible on the cohort. When done, ``is_calculating`` is false and ``last_calculation`` set; on failure
``errors_calculating`` goes up by one. A flag that is missing, disabled, deleted or aggregated by groups gives an
empty cohort, as in PostHog. Experience-continuity hash keys are not consulted (each person is bucketed on the
distinct id it is scanned with).
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Final

import msgspec

from flagcore.app.background import BackgroundJobs
from flagcore.app.cohorts.members import member_sets, memberships
from flagcore.app.cohorts.write_cohorts import CohortFields, CreateCohort
from flagcore.domain.cohorts import Cohort, feed_cohorts
from flagcore.domain.evaluation import CompiledSnapshot, Subject
from flagcore.domain.flags import FeatureFlag, FlagNotFoundError
from flagcore.domain.identity import Project
from flagcore.domain.ids import is_valid_id
from flagcore.domain.persons import Person, with_initial_properties
from flagcore.ports.clock import Clock
from flagcore.ports.cohorts import CohortRepo
from flagcore.ports.flags import FlagRepo
from flagcore.ports.persons import PersonRepo
from flagcore.ports.snapshots import ProjectSnapshots
from flagcore.ports.unit_of_work import UnitOfWorkFactory

PAGE: Final = 1000


class CreateStaticCohortForFlag:
    def __init__(
        self,
        flags: FlagRepo,
        create: CreateCohort,
        fill: FillCohortFromFlag,
        jobs: BackgroundJobs,
        clock: Clock,
    ) -> None:
        self._flags = flags
        self._create = create
        self._fill = fill
        self._jobs = jobs
        self._clock = clock

    async def execute(self, project: Project, user_id: int | None, flag_id: int) -> Cohort:
        """The new cohort, still calculating; the job that fills it is started.

        Raises:
            FlagNotFoundError: no such flag in the project.
        """
        flag = await self._flags.get(project.id, flag_id) if is_valid_id(flag_id) else None
        if flag is None or flag.deleted:
            raise FlagNotFoundError(flag_id)
        name = f"Users with feature flag {flag.key} enabled at {self._clock.now():%Y-%m-%d %H:%M:%S}"
        cohort = await self._create.execute(
            project.id, user_id, CohortFields(name=name, is_static=True), calculating=True
        )
        self._jobs.spawn(self._fill.execute(project, cohort.id, flag.id), name=f"flagcore-flag-cohort-{cohort.id}")
        return cohort


class FillCohortFromFlag:
    def __init__(
        self,
        transactions: UnitOfWorkFactory,
        flags: FlagRepo,
        persons: PersonRepo,
        cohorts: CohortRepo,
        snapshots: ProjectSnapshots,
        clock: Clock,
    ) -> None:
        self._transactions = transactions
        self._flags = flags
        self._persons = persons
        self._cohorts = cohorts
        self._snapshots = snapshots
        self._clock = clock

    async def execute(self, project: Project, cohort_id: int, flag_id: int) -> None:
        """Fill the cohort; never raises (a failure is counted on the cohort and logged by the job runner)."""
        try:
            flag = await self._flags.get(project.id, flag_id)
            if _evaluable(flag):
                assert flag is not None  # noqa: S101 - narrowed by _evaluable
                await self._scan(project, cohort_id, flag)
        except Exception:
            await self._finish(project.id, cohort_id, failed=True)
            raise
        await self._finish(project.id, cohort_id, failed=False)

    async def _scan(self, project: Project, cohort_id: int, flag: FeatureFlag) -> None:
        snapshot = await self._snapshots.compiled(project)
        live = await self._cohorts.live(project.id)
        _, statics = feed_cohorts([msgspec.to_builtins(flag.filters)], live)
        sets = await member_sets(self._cohorts, statics)
        after = 0
        while True:
            page = await self._persons.scan(project.id, after_id=after, limit=PAGE)
            if not page:
                return
            now = self._clock.now()
            matched = [p.id for p in page if _enabled(snapshot, flag.key, p, memberships(p.id, sets), now)]
            if matched:
                await self._add(project.id, cohort_id, matched)
            after = page[-1].id

    async def _add(self, project_id: int, cohort_id: int, person_ids: list[int]) -> None:
        """One page's matches and the new count, in one transaction (the count shows the progress)."""
        async with self._transactions.begin() as uow:
            cohort = await uow.cohorts.get(project_id, cohort_id)
            if cohort is None:
                return
            await uow.cohorts.add_members(cohort_id, person_ids)
            count = await uow.cohorts.member_count(cohort_id)
            await uow.cohorts.save(msgspec.structs.replace(cohort, count=count))
            await uow.commit()

    async def _finish(self, project_id: int, cohort_id: int, *, failed: bool) -> None:
        async with self._transactions.begin() as uow:
            cohort = await uow.cohorts.get(project_id, cohort_id)
            if cohort is None:
                return
            count = await uow.cohorts.member_count(cohort_id)
            changes: dict[str, object] = {"is_calculating": False, "count": count}
            if failed:
                changes["errors_calculating"] = cohort.errors_calculating + 1
            else:
                changes["last_calculation"] = self._clock.now()
            await uow.cohorts.save(msgspec.structs.replace(cohort, **changes))
            uow.after_commit(functools.partial(self._snapshots.invalidate, project_id))
            await uow.commit()


def _evaluable(flag: FeatureFlag | None) -> bool:
    return flag is not None and flag.active and not flag.deleted and flag.filters.aggregation_group_type_index is None


def _enabled(
    snapshot: CompiledSnapshot, key: str, person: Person, static_cohorts: frozenset[int], now: datetime
) -> bool:
    if not person.distinct_ids:
        return False  # PostHog skips persons without a distinct id
    distinct_id = person.distinct_ids[0]
    properties = with_initial_properties({**person.properties, "distinct_id": distinct_id})
    subject = Subject(distinct_id=distinct_id, person_properties=properties, static_cohorts=static_cohorts)
    result = snapshot.evaluate(subject, now=now, flag_keys=[key]).get(key)
    return result is not None and result.enabled and result.error_code is None
