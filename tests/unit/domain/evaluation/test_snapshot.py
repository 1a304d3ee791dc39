"""Snapshot-level behaviour: dependencies (§7), omission, failures, flag_keys, runtime filtering, inputs."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import msgspec
import pytest

from flagcore.domain.evaluation import Runtime, Subject, compile_snapshot
from tests.unit.domain.evaluation.support import (
    NOW,
    condition,
    depends_on,
    evaluate,
    flag,
    outcome,
    person,
    snapshot,
    variants,
)

PRO = Subject(distinct_id="u", person_properties={"plan": "pro"})
FREE = Subject(distinct_id="u", person_properties={"plan": "free"})
BASE = flag("base", condition(person("plan", "pro")), flag_id=1)
LAYOUT = flag("layout", condition(), flag_id=2, multivariate=variants(wide=100))


def _outcomes(results: dict[str, Any]) -> dict[str, tuple[Any, ...]]:
    return {key: outcome(result) for key, result in results.items()}


# --- dependencies ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("feed_form", [False, True], ids=["by-id", "by-key"])
@pytest.mark.parametrize(
    ("expected_value", "subject", "matches"),
    [(True, PRO, True), (True, FREE, False), (False, FREE, True), (False, PRO, False)],
)
def test_dependency_on_boolean_flag(feed_form: bool, expected_value: bool, subject: Subject, matches: bool) -> None:
    reference = "base" if feed_form else 1
    child = flag("child", condition(depends_on(reference, expected_value, feed_form=feed_form)), flag_id=3)
    results = evaluate([child, BASE], subject)
    assert results["child"].enabled is matches


@pytest.mark.parametrize(("expected_value", "matches"), [("wide", True), ("WIDE", False), (True, True), (False, False)])
def test_dependency_on_variant(expected_value: Any, matches: bool) -> None:
    child = flag("child", condition(depends_on(2, expected_value)))
    assert evaluate([child, LAYOUT])["child"].enabled is matches


def test_dependency_chain_of_three_is_evaluated_in_order() -> None:
    a = flag("a", condition(person("plan", "pro")), flag_id=1)
    b = flag("b", condition(depends_on(1, True)), flag_id=2)
    c = flag("c", condition(depends_on(2, True)), flag_id=3)
    compiled = snapshot(c, b, a)
    assert list(compiled.flags) == ["a", "b", "c"]
    assert compiled.evaluate(PRO, now=NOW)["c"].enabled is True
    assert compiled.evaluate(FREE, now=NOW)["c"].enabled is False


@pytest.mark.parametrize(
    "flags",
    [
        [flag("orphan", condition(depends_on(99, True)))],
        [flag("orphan", condition(depends_on("nothing", True, feed_form=True)))],
        [flag("orphan", condition(depends_on(5, True)), flag_id=5)],
        [
            flag("orphan", condition(depends_on(6, True)), flag_id=5),
            flag("other", condition(depends_on(5, True)), flag_id=6),
        ],
        [flag("orphan", condition(depends_on(7, True)), flag_id=5), flag("gone", condition(), flag_id=7, deleted=True)],
    ],
    ids=["missing-id", "missing-key", "self", "cycle", "deleted"],
)
def test_missing_or_cyclic_dependency_is_false_with_missing_dependency(flags: list[dict[str, Any]]) -> None:
    results = evaluate(flags, PRO)
    assert set(results) <= {"orphan", "other"}
    for result in results.values():
        assert outcome(result) == (False, "missing_dependency", None)
        assert result.description == "Flag cannot be evaluated due to missing dependency"
        assert not result.failed


def test_cycle_is_reported_on_the_snapshot() -> None:
    a = flag("a", condition(depends_on(2, True)), flag_id=1)
    b = flag("b", condition(depends_on(1, True)), flag_id=2)
    assert snapshot(a, b).has_dependency_cycles is True
    assert snapshot(BASE).has_dependency_cycles is False


def test_flag_depending_on_a_broken_flag_is_broken_too() -> None:
    broken = flag("broken", condition(depends_on(99, True)), flag_id=1)
    child = flag("child", condition(depends_on(1, False)), flag_id=2)
    assert _outcomes(evaluate([broken, child])) == {
        "broken": (False, "missing_dependency", None),
        "child": (False, "missing_dependency", None),
    }


@pytest.mark.parametrize(("expected_value", "matches"), [(False, True), (True, False)])
def test_inactive_dependency_counts_as_false_and_is_omitted(expected_value: bool, matches: bool) -> None:
    off = flag("off", condition(), flag_id=1, active=False)
    child = flag("child", condition(depends_on(1, expected_value)))
    results = evaluate([off, child])
    assert set(results) == {"child"}
    assert results["child"].enabled is matches


def test_failed_dependency_satisfies_no_expectation() -> None:
    failing = flag("failing", condition({"key": "id", "type": "cohort", "value": 404}), flag_id=1)
    wants_true = flag("wants-true", condition(depends_on(1, True)))
    wants_false = flag("wants-false", condition(depends_on(1, False)))
    results = evaluate([failing, wants_true, wants_false])
    assert (results["failing"].failed, results["failing"].error_code) == (True, "dependency_not_found_cohort")
    assert outcome(results["wants-true"]) == (False, "no_condition_match", 0)
    assert outcome(results["wants-false"]) == (False, "no_condition_match", 0)


# --- omission, failures and malformed definitions --------------------------------------------------------------------


def test_deleted_and_inactive_flags_are_omitted() -> None:
    results = evaluate([flag("gone", condition(), deleted=True), flag("off", condition(), active=False), BASE], PRO)
    assert set(results) == {"base"}


def test_predicate_error_fails_only_that_flag() -> None:
    failing = flag("failing", condition({"key": "id", "type": "cohort", "value": 404}), flag_id=9, version=2)
    results = evaluate([failing, BASE], PRO)
    failed = results["failing"]
    assert (failed.enabled, failed.value, failed.reason, failed.error_code) == (
        False,
        False,
        "dependency_not_found_cohort",
        "dependency_not_found_cohort",
    )
    assert (failed.flag_id, failed.version, failed.description) == (9, 2, None)
    assert results["base"].enabled is True


@pytest.mark.parametrize(
    "broken",
    [
        {"key": "bad", "filters": {"groups": "oops"}},
        {"key": "bad", "filters": {"groups": [{"rollout_percentage": "ten"}]}},
        {"key": "bad", "filters": {"groups": [], "multivariate": {"variants": [{"key": "a"}]}}},
        {"key": "bad", "filters": {"groups": [{"properties": ["not-an-object"]}]}},
        {"key": "bad", "filters": {"version": 2, "groups": []}},
        {"key": "bad", "active": "yes"},
    ],
    ids=["groups-not-list", "rollout-not-number", "variant-without-weight", "filter-not-object", "v2", "active"],
)
def test_malformed_flag_fails_with_parsing_error_and_others_evaluate(broken: dict[str, Any]) -> None:
    results = compile_snapshot({"flags": [{**broken, "id": 5}, BASE]}).evaluate(PRO, now=NOW)
    assert (results["bad"].failed, results["bad"].error_code, results["bad"].flag_id) == (
        True,
        "flag_data_parsing_error",
        5,
    )
    assert results["base"].enabled is True


def test_entries_without_a_key_are_dropped() -> None:
    results = compile_snapshot({"flags": [{"id": 1}, "junk", BASE]}).evaluate(PRO, now=NOW)
    assert set(results) == {"base"}


@pytest.mark.parametrize("document", [b"{not json", b"[]", b'{"flags": {}}'])
def test_unreadable_document_raises(document: bytes) -> None:
    with pytest.raises((msgspec.DecodeError, msgspec.ValidationError)):
        compile_snapshot(document)


def test_json_bytes_and_mapping_compile_alike() -> None:
    document = {"flags": [BASE, LAYOUT]}
    from_bytes = compile_snapshot(msgspec.json.encode(document)).evaluate(PRO, now=NOW)
    assert from_bytes == compile_snapshot(document).evaluate(PRO, now=NOW)


# --- selection: flag_keys, runtime, evaluation contexts --------------------------------------------------------------


def test_flag_keys_evaluate_requested_flags_and_their_dependencies() -> None:
    child = flag("child", condition(depends_on(1, True)), flag_id=3)
    compiled = snapshot(BASE, LAYOUT, child)
    assert set(compiled.evaluate(PRO, now=NOW, flag_keys=["child", "unknown"])) == {"child", "base"}
    assert set(compiled.evaluate(PRO, now=NOW, flag_keys=["layout"])) == {"layout"}
    assert compiled.evaluate(PRO, now=NOW, flag_keys=[]) == {}


def test_runtime_hides_flags_and_dependents_read_them_as_false() -> None:
    client_only = flag("client-only", condition(), flag_id=1, evaluation_runtime="client")
    child = flag("child", condition(depends_on(1, False)), evaluation_runtime="all")
    compiled = snapshot(client_only, child)
    on_server = compiled.evaluate(PRO, now=NOW, runtime=Runtime.SERVER)
    on_client = compiled.evaluate(PRO, now=NOW, runtime=Runtime.CLIENT)
    assert (set(on_server), on_server["child"].enabled) == ({"child"}, True)
    assert (set(on_client), on_client["child"].enabled) == ({"client-only", "child"}, False)


def test_evaluation_contexts_hide_flags_tagged_only_with_other_contexts() -> None:
    tagged = flag("tagged", condition(), evaluation_contexts=["web"])
    untagged = flag("untagged", condition())
    compiled = snapshot(tagged, untagged)
    assert set(compiled.evaluate(PRO, now=NOW, evaluation_contexts=["mobile"])) == {"untagged"}
    assert set(compiled.evaluate(PRO, now=NOW, evaluation_contexts=["web"])) == {"tagged", "untagged"}


# --- subject inputs --------------------------------------------------------------------------------------------------


def test_static_cohort_membership_comes_from_the_subject() -> None:
    member_flag = flag("cohort-flag", condition({"key": "id", "type": "cohort", "value": 12, "operator": "in"}))
    compiled = compile_snapshot({"flags": [member_flag]}, static_cohort_ids=[12])
    member = Subject(distinct_id="u", static_cohorts=frozenset({12}))
    assert compiled.evaluate(member, now=NOW)["cohort-flag"].enabled is True
    assert compiled.evaluate(Subject(distinct_id="u"), now=NOW)["cohort-flag"].enabled is False


def test_dynamic_cohort_from_the_document() -> None:
    cohorts = {"3": {"type": "OR", "values": [{"type": "AND", "values": [person("plan", "pro")]}]}}
    cohort_flag = flag("cohort-flag", condition({"key": "id", "type": "cohort", "value": 3}))
    compiled = compile_snapshot({"flags": [cohort_flag], "cohorts": cohorts})
    assert compiled.evaluate(PRO, now=NOW)["cohort-flag"].enabled is True
    assert compiled.evaluate(FREE, now=NOW)["cohort-flag"].enabled is False


def test_the_clock_is_an_input() -> None:
    recent = flag("recent", condition(person("signed_up", "-7d", operator="is_date_after")))
    subject = Subject(distinct_id="u", person_properties={"signed_up": NOW.isoformat()})
    compiled = snapshot(recent)
    assert compiled.evaluate(subject, now=NOW)["recent"].enabled is True
    assert compiled.evaluate(subject, now=NOW + timedelta(days=30))["recent"].enabled is False


def test_evaluation_does_not_mutate_the_subject_or_leak_between_subjects() -> None:
    child = flag("child", condition(depends_on(1, True)))
    compiled = snapshot(BASE, child)
    properties = {"plan": "pro"}
    subject = Subject(distinct_id="u", person_properties=properties)
    first = compiled.evaluate(subject, now=NOW)
    assert compiled.evaluate(FREE, now=NOW)["child"].enabled is False
    assert compiled.evaluate(subject, now=NOW) == first
    assert properties == {"plan": "pro"}
