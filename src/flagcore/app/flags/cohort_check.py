"""Refusing a flag write whose conditions name a cohort the project does not have (inside the write's unit of work)."""

from __future__ import annotations

from flagcore.domain.flags import Filters
from flagcore.domain.flags.cohort_refs import check_cohorts_exist, cohort_id_of, condition_cohort_values
from flagcore.domain.ids import is_valid_id
from flagcore.ports.cohorts import CohortRepo


async def check_flag_cohorts(cohorts: CohortRepo, project_id: int, filters: Filters) -> None:
    """Raise ``UnknownCohortError`` for the first cohort condition naming no cohort of the project (deleted counts)."""
    existing: set[int] = set()
    for value in condition_cohort_values(filters):
        cohort_id = cohort_id_of(value)
        if cohort_id is not None and is_valid_id(cohort_id) and await cohorts.get(project_id, cohort_id) is not None:
            existing.add(cohort_id)
    check_cohorts_exist(filters, existing)
