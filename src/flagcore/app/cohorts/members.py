"""Static cohort memberships of many persons at once, for work over every person (blast radius, flag cohorts)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final

from flagcore.ports.cohorts import CohortRepo

_PAGE: Final = 10_000


async def member_sets(cohorts: CohortRepo, cohort_ids: Iterable[int]) -> dict[int, frozenset[int]]:
    """The member person ids of each static cohort, read in pages (one read per page, not per person)."""
    found: dict[int, frozenset[int]] = {}
    for cohort_id in sorted(set(cohort_ids)):
        members: set[int] = set()
        offset = 0
        while True:
            page = await cohorts.members(cohort_id, limit=_PAGE, offset=offset)
            members.update(page)
            offset += len(page)
            if len(page) < _PAGE:
                break
        found[cohort_id] = frozenset(members)
    return found


def memberships(person_id: int, sets: Mapping[int, frozenset[int]]) -> frozenset[int]:
    """The cohorts of ``sets`` the person belongs to."""
    return frozenset(cohort_id for cohort_id, members in sets.items() if person_id in members)
