"""Cohorts a flag's conditions name, and PostHog's refusal of one that does not exist (persons spec §3.4).

PostHog looks each cohort condition's id up among the project's cohorts, deleted ones included (a soft-deleted
cohort still exists; it just evaluates as missing), and refuses an id it cannot find with ``cohort_does_not_exist``
on ``filters``. Only the release conditions (``groups``) are checked, as PostHog checks them.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from flagcore.domain.flags.errors import InvalidFiltersError
from flagcore.domain.flags.model import Filters


class UnknownCohortError(InvalidFiltersError):
    def __init__(self, value: Any) -> None:  # noqa: ANN401 - the id as the request wrote it
        super().__init__(f"Cohort with id {value} does not exist", code="cohort_does_not_exist")
        self.value = value


def cohort_id_of(value: Any) -> int | None:  # noqa: ANN401 - JSON
    """The cohort id a condition's ``value`` names (an int or a digit string), or None if it names none."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        return None
    text = str(value).strip()
    return int(text) if text.isdigit() else None


def condition_cohort_values(filters: Filters) -> list[Any]:
    """The ``value`` of every cohort condition in the release conditions, in order, repeats dropped."""
    seen: dict[str, Any] = {}
    for group in filters.groups:
        for prop in group.properties:
            if prop.type == "cohort":
                seen.setdefault(repr(prop.value), prop.value)
    return list(seen.values())


def check_cohorts_exist(filters: Filters, existing: Collection[int]) -> None:
    """Refuse the first cohort condition whose id is not among ``existing`` (the project's cohort ids).

    Raises:
        UnknownCohortError: a cohort condition names no cohort of the project.
    """
    for value in condition_cohort_values(filters):
        cohort_id = cohort_id_of(value)
        if cohort_id is None or cohort_id not in existing:
            raise UnknownCohortError(value)
