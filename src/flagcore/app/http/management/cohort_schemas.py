"""Wire shapes of the cohorts API (PostHog's ``CohortSerializer`` fields, persons spec §3.2)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from flagcore.domain.cohorts import Cohort


class CohortOut(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    name: str | None
    description: str
    groups: list[Any]
    deleted: bool
    filters: dict[str, Any]
    query: None = None
    is_calculating: bool
    created_by: None = None
    created_at: datetime
    last_calculation: datetime | None
    errors_calculating: int
    count: int | None
    is_static: bool
    cohort_type: str
    experiment_set: list[int]


class CohortList(msgspec.Struct, frozen=True, kw_only=True):
    count: int
    next: str | None
    previous: str | None
    results: list[CohortOut]


class PersonsToAdd(msgspec.Struct, frozen=True):
    person_ids: Any = None


class PersonToRemove(msgspec.Struct, frozen=True):
    person_id: Any = None


class Success(msgspec.Struct, frozen=True):
    success: bool = True


def cohort_out(cohort: Cohort) -> CohortOut:
    return CohortOut(
        id=cohort.id,
        name=cohort.name,
        description=cohort.description,
        groups=[],
        deleted=cohort.deleted,
        filters=cohort.filters,
        is_calculating=cohort.is_calculating,
        created_at=cohort.created_at,
        last_calculation=cohort.last_calculation,
        errors_calculating=cohort.errors_calculating,
        count=cohort.count,
        is_static=cohort.is_static,
        cohort_type="static" if cohort.is_static else "person_property",
        experiment_set=[],
    )


class FlagCohortOut(msgspec.Struct, frozen=True, kw_only=True):
    """``create_static_cohort_for_flag``'s answer: the new cohort, still calculating."""

    cohort: CohortOut
