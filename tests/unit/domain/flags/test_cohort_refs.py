"""Which cohort conditions a flag names, and the refusal of one the project does not have."""

from __future__ import annotations

from typing import Any

import pytest

from flagcore.domain.flags import parse_filters
from flagcore.domain.flags.cohort_refs import UnknownCohortError, check_cohorts_exist, cohort_id_of


def cohort(value: Any) -> dict[str, Any]:
    return {"key": "id", "type": "cohort", "value": value}


@pytest.mark.parametrize(
    ("value", "expected"),
    [(5, 5), ("5", 5), (" 5 ", 5), ("abc", None), (True, None), (None, None), (5.0, None), ([5], None)],
)
def test_cohort_id_of(value: Any, expected: int | None) -> None:
    assert cohort_id_of(value) == expected


@pytest.mark.parametrize(
    ("groups", "existing", "refused"),
    [
        ([], set(), None),
        ([{"properties": [cohort(1)]}], {1}, None),
        ([{"properties": [cohort("1")]}], {1}, None),
        ([{"properties": [cohort(1)]}, {"properties": [cohort(2)]}], {1}, 2),
        ([{"properties": [cohort("x")]}], {1}, "x"),
        ([{"properties": [{"key": "plan", "type": "person", "value": 2}]}], set(), None),  # not a cohort
    ],
)
def test_check_cohorts_exist(groups: list[dict[str, Any]], existing: set[int], refused: Any) -> None:
    filters = parse_filters({"groups": groups})
    if refused is None:
        check_cohorts_exist(filters, existing)
        return
    with pytest.raises(UnknownCohortError) as raised:
        check_cohorts_exist(filters, existing)
    assert raised.value.detail == f"Cohort with id {refused} does not exist"
    assert (raised.value.code, raised.value.attr) == ("cohort_does_not_exist", "filters")
