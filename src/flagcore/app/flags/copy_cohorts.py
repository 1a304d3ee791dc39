"""Carrying a copied flag's cohorts into a target project by name, inside the target's unit of work.

PostHog's copy_flags rule (management spec §7): each cohort the flag references, directly or through nested cohort
properties, is matched by name among the target's live cohorts; a missing one is created there, dependencies first,
with its own nested references rewritten. Static cohorts are created empty: PostHog copies the flag, not the people.
"""

from __future__ import annotations

from datetime import datetime

import msgspec

from flagcore.domain.cohorts import Cohort, NewCohort, check_references, validate_filters
from flagcore.domain.cohorts.remap import dependencies_first, flag_cohort_refs, remap_cohort_filters
from flagcore.ports.cohorts import CohortRepo
from flagcore.ports.unit_of_work import UnitOfWork


async def source_cohorts(cohorts: CohortRepo, project_id: int, flag_filters: dict[str, object]) -> list[Cohort]:
    """The source project's live cohorts the flag needs, each after the cohorts it references."""
    live = {c.id: c for c in await cohorts.live(project_id)}
    return dependencies_first(flag_cohort_refs(flag_filters), live)


async def carry_cohorts(
    uow: UnitOfWork, needed: list[Cohort], *, project_id: int, user_id: int, at: datetime
) -> dict[int, int]:
    """Source cohort id -> target cohort id, creating the missing ones in ``uow`` (uncommitted: the caller commits).

    The caller holds the target project's write lock, so two copies cannot both create the same name.

    Raises:
        CohortFiltersError: a rewritten cohort's filters do not hold in the target project.
    """
    if not needed:
        return {}
    by_name: dict[str, Cohort] = {}
    for cohort in await uow.cohorts.live(project_id):
        if cohort.name is not None:
            by_name.setdefault(cohort.name, cohort)  # the oldest of a name, as PostHog's first()
    mapping: dict[int, int] = {}
    for source in needed:
        found = by_name.get(source.name) if source.name is not None else None
        if found is None:
            found = await _create(uow, source, mapping, project_id=project_id, user_id=user_id, at=at)
            if source.name is not None:
                by_name[source.name] = found
        mapping[source.id] = found.id
    return mapping


async def _create(
    uow: UnitOfWork, source: Cohort, mapping: dict[int, int], *, project_id: int, user_id: int, at: datetime
) -> Cohort:
    filters: dict[str, object] = {}
    if not source.is_static:
        filters = validate_filters(remap_cohort_filters(source.filters, mapping))
        others = {c.id: c.filters for c in await uow.cohorts.live(project_id)}
        check_references(None, filters, others)
    created = await uow.cohorts.create(
        NewCohort(
            project_id=project_id,
            name=source.name,
            description=source.description,
            filters=filters,
            is_static=source.is_static,
            created_by_id=user_id,
            created_at=at,
        )
    )
    if source.is_static:
        created = await uow.cohorts.save(msgspec.structs.replace(created, count=0))
    return created
