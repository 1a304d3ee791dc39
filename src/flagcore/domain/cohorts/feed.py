"""Which cohorts a project's snapshot carries (persons spec §3.6).

The feed's ``cohorts`` map holds every dynamic, live cohort that a live flag references, with the cohorts they
reference in turn; static cohorts are left out (their membership is evaluated on the server) and listed apart.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flagcore.domain.cohorts.model import Cohort
from flagcore.domain.cohorts.validation import referenced_cohorts


def feed_cohorts(
    flag_filters: Iterable[Mapping[str, Any]], cohorts: Iterable[Cohort]
) -> tuple[dict[str, Any], list[int]]:
    """The feed's ``cohorts`` map and the ids of the referenced static cohorts.

    Args:
        flag_filters: the filters of the project's live flags.
        cohorts: the project's cohorts (deleted ones are ignored).
    """
    by_id = {c.id: c for c in cohorts if not c.deleted}
    todo = [cohort_id for filters in flag_filters for cohort_id in _flag_cohorts(filters)]
    dynamic: dict[str, Any] = {}
    static: set[int] = set()
    seen: set[int] = set()
    while todo:
        cohort_id = todo.pop()
        if cohort_id in seen or cohort_id not in by_id:
            continue
        seen.add(cohort_id)
        cohort = by_id[cohort_id]
        if cohort.is_static:
            static.add(cohort_id)
            continue
        dynamic[str(cohort_id)] = cohort.properties
        todo.extend(referenced_cohorts(cohort.properties))
    return dict(sorted(dynamic.items(), key=lambda item: int(item[0]))), sorted(static)


def _flag_cohorts(filters: Mapping[str, Any]) -> Iterable[int]:
    for group in filters.get("groups") or []:
        for prop in (group or {}).get("properties") or []:
            if isinstance(prop, dict) and prop.get("type") == "cohort" and str(prop.get("value", "")).isdigit():
                yield int(prop["value"])
