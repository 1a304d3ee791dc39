from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from flagcore.domain.cohorts import CohortFiltersError, check_references, validate_filters
from flagcore.domain.persons import (
    IngestEvent,
    MergeOutcome,
    Person,
    PropertyOps,
    apply_ops,
    event_ops,
    is_illegal_distinct_id,
    merge_outcome,
    plan_event,
    with_initial_properties,
)
from flagcore.domain.persons.capture import CaptureTokenError, MissingDistinctIdError, read_events

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def person(pid: int, *, identified: bool = False) -> Person:
    return Person(
        id=pid, uuid="u", project_id=1, distinct_ids=("d",), properties={}, is_identified=identified, created_at=NOW
    )


def test_top_level_set_wins_and_event_properties_lift_to_person_and_initial() -> None:
    ops = event_ops({"$set": {"a": 1, "b": 1}, "$browser": "Firefox", "utm_source": "ad"}, {"a": 2}, None)
    assert ops.set == {"a": 2, "b": 1, "$browser": "Firefox", "utm_source": "ad"}
    assert ops.set_once == {"$initial_browser": "Firefox", "$initial_utm_source": "ad"}


def test_server_events_do_not_lift_the_os() -> None:
    ops = event_ops({"$is_server": True, "$os": "Linux"}, None, None)
    assert "$os" not in ops.set


@pytest.mark.parametrize(
    ("current", "ops", "expected"),
    [
        ({"a": 1}, PropertyOps(set_once={"a": 2, "b": 2}), {"a": 1, "b": 2}),
        ({"a": 1}, PropertyOps(set={"a": 3}), {"a": 3}),
        ({"a": 1, "b": 2}, PropertyOps(unset=("a", "missing")), {"b": 2}),
        ({}, PropertyOps(set={"x": 1}, set_once={"x": 0}), {"x": 1}),
    ],
)
def test_apply_ops(current: dict[str, Any], ops: PropertyOps, expected: dict[str, Any]) -> None:
    assert apply_ops(current, ops) == expected


def test_unset_accepts_an_object_or_a_list() -> None:
    assert event_ops({"$unset": {"a": None}}, None, None).unset == ("a",)
    assert event_ops({"$unset": ["a", 1]}, None, None).unset == ("a",)


def test_initial_fill_in_never_overwrites() -> None:
    props = with_initial_properties({"$browser": "Chrome", "$initial_os": "Mac", "$os": "Linux"})
    assert props["$initial_browser"] == "Chrome"
    assert props["$initial_os"] == "Mac"


@pytest.mark.parametrize(
    ("event", "properties", "merge"),
    [
        ("$identify", {"$anon_distinct_id": "anon"}, ("anon", "user", False)),
        ("$create_alias", {"alias": "other"}, ("other", "user", False)),
        ("$merge_dangerously", {"alias": "other"}, ("other", "user", True)),
        ("$identify", {}, None),
        ("$pageview", {"$anon_distinct_id": "anon"}, None),
    ],
)
def test_merge_triggers(event: str, properties: dict[str, Any], merge: tuple[str, str, bool] | None) -> None:
    plan = plan_event(IngestEvent(project_id=1, event=event, distinct_id="user", properties=properties))
    got = (plan.merge.other, plan.merge.into, plan.merge.dangerous) if plan.merge else None
    assert got == merge


def test_personless_exception_and_groupidentify_events_do_not_touch_persons() -> None:
    for event, props in (
        ("e", {"$process_person_profile": False, "$set": {"a": 1}}),
        ("$exception", {"$set": {"a": 1}}),
        ("$groupidentify", {"$group_type": "company", "$group_key": 1, "$group_set": {"n": 1}}),
    ):
        assert plan_event(IngestEvent(project_id=1, event=event, distinct_id="u", properties=props)).person_ops is None
    group = plan_event(
        IngestEvent(
            project_id=1,
            event="$groupidentify",
            distinct_id="u",
            properties={"$group_type": "company", "$group_key": 1},
        )
    ).group
    assert group is not None
    assert (group.group_type, group.group_key) == ("company", "1")


@pytest.mark.parametrize("distinct_id", ["anonymous", "'null'", '"undefined"', "  ", "[object Object]", "0", "Guest"])
def test_illegal_ids(distinct_id: str) -> None:
    assert is_illegal_distinct_id(distinct_id)


def test_ordinary_ids_are_legal() -> None:
    assert not is_illegal_distinct_id("user-42")


@pytest.mark.parametrize(
    ("other", "into", "dangerous", "expected"),
    [
        (None, None, False, MergeOutcome.CREATE),
        (None, person(1), False, MergeOutcome.ADD_OTHER),
        (person(1), None, False, MergeOutcome.ADD_INTO),
        (person(1), person(1), False, MergeOutcome.NOTHING),
        (person(1), person(2), False, MergeOutcome.MERGE),
        (person(1, identified=True), person(2), False, MergeOutcome.REFUSED),
        (person(1, identified=True), person(2), True, MergeOutcome.MERGE),
    ],
)
def test_merge_outcomes(other: Person | None, into: Person | None, dangerous: bool, expected: MergeOutcome) -> None:
    assert merge_outcome("a", "b", other, into, dangerous=dangerous, illegal=False) is expected


def test_illegal_or_same_ids_never_merge() -> None:
    assert merge_outcome("a", "a", None, None, dangerous=False, illegal=False) is MergeOutcome.NOTHING
    assert merge_outcome("a", "b", None, None, dangerous=True, illegal=True) is MergeOutcome.REFUSED


def test_read_events_token_and_distinct_id_rules() -> None:
    token, events = read_events(
        [
            {"event": "e", "$distinct_id": 42, "properties": {"token": " phc_a "}},
            {"event": "$performance_event", "distinct_id": "x"},
            {"event": "e", "properties": {"distinct_id": "p" * 300}},
        ],
        None,
    )
    assert token == "phc_a"
    assert [e.distinct_id for e in events] == ["42", "p" * 200]
    with pytest.raises(MissingDistinctIdError):
        read_events([{"event": "e", "distinct_id": ""}], "phc_a")
    with pytest.raises(CaptureTokenError, match="not_ascii"):
        read_events([{"event": "e", "distinct_id": "u"}], "phc_é")


def test_cohort_filters() -> None:
    ok = {"properties": {"type": "OR", "values": [{"type": "person", "key": "a", "operator": "is_set"}]}}
    assert validate_filters(ok) is ok
    assert validate_filters({"properties": {}}) == {"properties": {}}
    with pytest.raises(CohortFiltersError, match="value"):
        validate_filters(
            {"properties": {"type": "AND", "values": [{"type": "person", "key": "a", "operator": "exact"}]}}
        )
    deep: dict[str, Any] = {"type": "AND", "values": []}
    for _ in range(12):
        deep = {"type": "AND", "values": [deep]}
    with pytest.raises(CohortFiltersError):
        validate_filters({"properties": deep})
    ref = {"properties": {"type": "AND", "values": [{"type": "cohort", "key": "id", "value": 2}]}}
    check_references(1, ref, {2: {"properties": {}}})
    with pytest.raises(CohortFiltersError, match="loop"):
        check_references(
            1, ref, {2: {"properties": {"type": "AND", "values": [{"type": "cohort", "key": "id", "value": 1}]}}}
        )
    with pytest.raises(CohortFiltersError, match="Invalid Cohort ID"):
        check_references(1, ref, {})
