"""The feed without cohorts inlines a flag's single cohort as person conditions, as PostHog's serializer does."""

from __future__ import annotations

from typing import Any

import pytest

from flagcore.domain.snapshots.cohort_inline import inline_single_cohort


def person(key: str, value: str = "x", **extra: Any) -> dict[str, Any]:
    return {"type": "person", "key": key, "operator": "exact", "value": value, **extra}


def group(kind: str, *values: Any) -> dict[str, Any]:
    return {"type": kind, "values": list(values)}


def on(cohort_id: Any, rollout: Any = 100, **extra: Any) -> dict[str, Any]:
    return {"properties": [{"key": "id", "type": "cohort", "value": cohort_id}], "rollout_percentage": rollout, **extra}


def cond(*props: dict[str, Any], rollout: Any = 100) -> dict[str, Any]:
    return {"properties": list(props), "rollout_percentage": rollout}


A, B, C = person("a"), person("b"), person("c")


@pytest.mark.parametrize(
    ("cohort", "expected"),
    [
        (group("AND", A), [cond(A)]),
        (group("OR", group("AND", A)), [cond(A)]),  # single-child levels collapse
        (group("AND", A, B), [cond(A, B)]),
        (group("OR", A, B), [cond(A), cond(B)]),
        (group("OR", group("AND", A, B), group("AND", C)), [cond(A, B), cond(C)]),
        (group("OR", group("AND", A, B), group("OR", C)), [cond(A, B), cond(C)]),
    ],
)
def test_expressible_cohorts_become_conditions(cohort: dict[str, Any], expected: list[dict[str, Any]]) -> None:
    filters = {"groups": [on(7)], "payloads": {}}
    assert inline_single_cohort(filters, {"7": cohort}, ()) == {"groups": expected, "payloads": {}}


@pytest.mark.parametrize(
    "cohort",
    [
        group("AND"),  # empty
        group("AND", group("OR", A, B), group("OR", C, A)),  # an AND of ORs
        group("OR", group("OR", A, B), group("AND", C)),  # an inner OR of several
        group("OR", A, group("AND", B, C)),  # mixed leaves and groups
        group("AND", person("a", negation=True)),  # negation
        group("AND", {"type": "behavioral", "key": "e", "value": "performed_event"}),
        group("OR", group("AND", group("AND", A, B), C), group("AND", C)),  # too nested
    ],
)
def test_inexpressible_cohorts_leave_the_flag_unchanged(cohort: dict[str, Any]) -> None:
    filters = {"groups": [on(7)]}
    assert inline_single_cohort(filters, {"7": cohort}, ()) == filters


def test_other_conditions_stay_first_and_expansions_take_the_last_rollout() -> None:
    other = cond(C, rollout=30)
    filters = {"groups": [on(7, rollout=10), other, on(7, rollout=50)]}
    expanded = inline_single_cohort(filters, {"7": group("OR", A, B)}, ())
    assert expanded["groups"] == [other, cond(A, rollout=50), cond(B, rollout=50)]


@pytest.mark.parametrize(
    ("groups", "cohorts", "statics"),
    [
        ([on(7), on(8)], {"7": group("AND", A), "8": group("AND", B)}, ()),  # two cohorts
        ([on(7)], {"7": group("AND", A, {"type": "cohort", "key": "id", "value": 8}), "8": group("AND", B)}, ()),
        ([on(7, variant="v")], {"7": group("AND", A)}, ()),  # a variant override
        ([cond({"key": "id", "type": "cohort", "value": 7}, B)], {"7": group("AND", A)}, ()),  # not alone
        ([on(5)], {}, (5,)),  # static: nothing to inline
        ([on(9)], {}, ()),  # missing or deleted
        ([on("x")], {"7": group("AND", A)}, ()),
        ([cond(A)], {"7": group("AND", B)}, ()),  # no cohort at all
    ],
)
def test_flags_that_do_not_qualify_are_unchanged(
    groups: list[dict[str, Any]], cohorts: dict[str, Any], statics: tuple[int, ...]
) -> None:
    filters = {"groups": groups}
    assert inline_single_cohort(filters, cohorts, statics) == filters


def test_a_reference_to_a_missing_cohort_does_not_count() -> None:
    # PostHog counts live cohorts only: a deleted nested cohort leaves one, whose non-person leaf then blocks.
    cohort = group("AND", A, {"type": "cohort", "key": "id", "value": 99})
    assert inline_single_cohort({"groups": [on(7)]}, {"7": cohort}, ()) == {"groups": [on(7)]}
