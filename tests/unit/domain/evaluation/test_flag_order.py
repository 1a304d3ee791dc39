"""Flag-level order (spec §3.1, §3.3, §4, §8): enrollment, holdout, conditions, reasons, variants, payloads."""

from __future__ import annotations

from typing import Any

import pytest

from flagcore.domain.evaluation import Subject
from flagcore.domain.evaluation.bucketing import VARIANT_SALT, bucket_hash, holdout_hash
from tests.unit.domain.evaluation.support import condition, evaluate, flag, outcome, person, variants

PAYLOADS = {"true": '{"on":true}', "false": '{"off":true}', "control": '"c"', "test": '"t"', "holdout-7": '"h"'}


def _first(results: dict[str, Any]) -> Any:
    (result,) = results.values()
    return result


# --- feature enrollment and legacy super groups -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("enrollment", "expected"),
    [
        (True, (True, "super_condition_value", 0)),
        ("true", (True, "super_condition_value", 0)),
        (False, (False, "super_condition_value", 0)),
        ("TRUE", (False, "super_condition_value", 0)),
        (1, (False, "super_condition_value", 0)),
        (None, (False, "super_condition_value", 0)),
    ],
)
def test_feature_enrollment_property_decides_immediately(enrollment: Any, expected: tuple[Any, ...]) -> None:
    definition = flag("beta", condition(rollout=0), feature_enrollment=True, payloads=PAYLOADS)
    subject = Subject(distinct_id="u", person_properties={"$feature_enrollment/beta": enrollment})
    result = _first(evaluate(definition, subject))
    assert outcome(result) == expected
    assert result.description == "Super condition value"
    # The server attaches the "true" payload to the enrollment answer, enrolled or not.
    assert result.payload == PAYLOADS["true"]


def test_feature_enrollment_absent_falls_through_to_conditions() -> None:
    definition = flag("beta", condition(person("plan", "pro")), feature_enrollment=True)
    result = _first(evaluate(definition, Subject(distinct_id="u", person_properties={"plan": "pro"})))
    assert outcome(result) == (True, "condition_match", 0)


def test_legacy_super_group_applies_only_when_its_property_is_present() -> None:
    definition = flag(
        "beta", condition(rollout=0), super_groups=[condition(person("$early", "yes"))], payloads=PAYLOADS
    )
    present = _first(evaluate(definition, Subject(distinct_id="u", person_properties={"$early": "yes"})))
    mismatch = _first(evaluate(definition, Subject(distinct_id="u", person_properties={"$early": "no"})))
    absent = _first(evaluate(definition, Subject(distinct_id="u")))
    assert (outcome(present), present.payload) == ((True, "super_condition_value", 0), PAYLOADS["true"])
    assert outcome(mismatch) == (False, "super_condition_value", 0)
    assert outcome(absent) == (False, "out_of_rollout_bound", 0)


def test_legacy_super_groups_are_ignored_with_feature_enrollment() -> None:
    definition = flag(
        "beta", condition(), feature_enrollment=True, super_groups=[condition(person("$early", "yes"), rollout=0)]
    )
    result = _first(evaluate(definition, Subject(distinct_id="u", person_properties={"$early": "yes"})))
    assert outcome(result) == (True, "condition_match", 0)


# --- holdout ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("exclusion", "member"), [(100, True), (250, True), (0, False), (-5, False)])
def test_holdout_percentage_is_clamped(exclusion: float, member: bool) -> None:
    definition = flag("exp", condition(), holdout={"id": 7, "exclusion_percentage": exclusion}, payloads=PAYLOADS)
    result = _first(evaluate(definition, "user-0"))
    if member:
        assert outcome(result) == ("holdout-7", "holdout_condition_value", None)
        assert (result.payload, result.description) == ('"h"', "Holdout condition value")
    else:
        assert outcome(result) == (True, "condition_match", 0)


@pytest.mark.parametrize("distinct_id", [f"user-{i}" for i in range(8)])
def test_holdout_membership_follows_holdout_hash(distinct_id: str) -> None:
    definition = flag("exp", condition(), holdout={"id": 7, "exclusion_percentage": 50})
    member = holdout_hash(distinct_id.encode()) <= 0.5
    assert (_first(evaluate(definition, distinct_id)).variant == "holdout-7") is member


def test_holdout_of_group_flag_hashes_group_key() -> None:
    definition = flag("exp", condition(), aggregation_group_type_index=0, holdout={"id": 3, "exclusion_percentage": 50})
    mapping = {"group_type_mapping": {"0": "company"}}
    for key in ("acme", "globex", "initech", "umbrella"):
        subject = Subject(distinct_id="same-person", groups={"company": key})
        member = holdout_hash(key.encode()) <= 0.5
        assert (_first(evaluate(definition, subject, **mapping)).variant == "holdout-3") is member


def test_holdout_uses_anon_distinct_id_for_continuity_flags_but_never_stored_overrides() -> None:
    definition = flag(
        "exp", condition(), ensure_experience_continuity=True, holdout={"id": 7, "exclusion_percentage": 50}
    )
    # user-1 is a member (hash 0.178), user-2 is not (0.928).
    assert _first(evaluate(definition, "user-1")).variant == "holdout-7"
    anon = Subject(distinct_id="user-1", anon_distinct_id="user-2")
    assert _first(evaluate(definition, anon)).variant is None
    stored = Subject(distinct_id="user-1", hash_key_overrides={"exp": "user-2"})
    assert _first(evaluate(definition, stored)).variant == "holdout-7"


# --- conditions, reasons and descriptions ----------------------------------------------------------------------------


def test_conditions_are_evaluated_in_stored_order_even_with_variant_overrides() -> None:
    definition = flag(
        "layout",
        condition(person("plan", "pro")),
        condition(person("plan", "pro"), variant="test"),
        multivariate=variants(control=100, test=0),
    )
    result = _first(evaluate(definition, Subject(distinct_id="u", person_properties={"plan": "pro"})))
    assert outcome(result) == ("control", "condition_match", 0)


@pytest.mark.parametrize(
    ("conditions", "properties", "expected", "description"),
    [
        pytest.param([], {}, (False, "no_group_type", None), "No group type", id="no-conditions"),
        pytest.param(
            [condition(person("a", 1)), condition(person("b", 1))],
            {},
            (False, "no_condition_match", 1),
            "No matching condition set",
            id="equal-reasons-last-wins",
        ),
        pytest.param(
            [condition(rollout=0), condition(person("b", 1))],
            {},
            (False, "out_of_rollout_bound", 0),
            "Out of rollout bound",
            id="rollout-miss-outranks-later-no-match",
        ),
        pytest.param(
            [condition(person("a", 1)), condition(rollout=0), condition(person("b", 1))],
            {},
            (False, "out_of_rollout_bound", 1),
            "Out of rollout bound",
            id="rollout-miss-outranks-earlier-no-match",
        ),
        pytest.param(
            [condition(person("a", 1)), condition(person("b", 1))],
            {"b": 1},
            (True, "condition_match", 1),
            "Matched condition set 2",
            id="second-condition-matches",
        ),
        pytest.param(
            [condition(person("a", 1), rollout=None)],
            {"a": 1},
            (True, "condition_match", 0),
            "Matched condition set 1",
            id="null-rollout-is-100",
        ),
    ],
)
def test_reason_priority_and_descriptions(
    conditions: list[dict[str, Any]], properties: dict[str, Any], expected: tuple[Any, ...], description: str
) -> None:
    result = _first(evaluate(flag("f", *conditions), Subject(distinct_id="u", person_properties=properties)))
    assert outcome(result) == expected
    assert result.description == description


def test_group_conditions_skipped_lengthen_the_no_match_description() -> None:
    definition = flag(
        "mixed",
        condition(aggregation_group_type_index=0),
        condition(person("plan", "pro"), aggregation_group_type_index=None),
        aggregation_group_type_index=0,
    )
    result = _first(evaluate(definition, "u", group_type_mapping={"0": "company"}))
    assert outcome(result) == (False, "no_condition_match", 1)
    assert result.description == (
        "No matching condition set (group conditions were not evaluated because no group type was provided)"
    )


@pytest.mark.parametrize(
    ("early_exit", "expected"), [(True, (False, "out_of_rollout_bound", 0)), (False, (True, "condition_match", 1))]
)
def test_early_exit_ends_evaluation_at_a_rollout_miss(early_exit: bool, expected: tuple[Any, ...]) -> None:
    definition = flag("f", condition(rollout=0), condition(), early_exit=early_exit)
    assert outcome(_first(evaluate(definition, "user-1"))) == expected


def test_early_exit_does_not_stop_at_a_property_miss() -> None:
    definition = flag("f", condition(person("a", 1), rollout=0), condition(), early_exit=True)
    assert outcome(_first(evaluate(definition, "user-1"))) == (True, "condition_match", 1)


# --- variants and payloads -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("distinct_id", [f"user-{i}" for i in range(6)])
def test_variant_follows_the_variant_hash(distinct_id: str) -> None:
    definition = flag("f", condition(), multivariate=variants(control=30, test=70), payloads=PAYLOADS)
    variant_hash = bucket_hash(b"f.", distinct_id.encode(), VARIANT_SALT)
    expected = "control" if variant_hash < 0.3 else "test"
    result = _first(evaluate(definition, distinct_id))
    assert (result.variant, result.payload) == (expected, PAYLOADS[expected])


def test_valid_variant_override_applies_even_at_partial_rollout() -> None:
    # user-0's rollout hash is 0.46: inside a 50% rollout.
    definition = flag("f", condition(rollout=50, variant="test"), multivariate=variants(control=100, test=0))
    assert outcome(_first(evaluate(definition, "user-0"))) == ("test", "condition_match", 0)


def test_invalid_variant_override_uses_the_hash() -> None:
    definition = flag("f", condition(variant="nope"), multivariate=variants(control=100))
    assert _first(evaluate(definition, "user-0")).variant == "control"


def test_weights_below_100_leave_high_hashes_with_plain_true() -> None:
    # user-0's variant hash is 0.93, beyond the only 10% boundary.
    definition = flag("f", condition(), multivariate=variants(only=10), payloads=PAYLOADS)
    result = _first(evaluate(definition, "user-0"))
    assert (result.value, result.variant, result.payload) == (True, None, PAYLOADS["true"])


def test_weights_above_100_make_later_variants_unreachable() -> None:
    definition = flag("f", condition(), multivariate=variants(first=100, second=60))
    assert {_first(evaluate(definition, f"user-{i}")).variant for i in range(20)} == {"first"}


def test_false_result_has_no_payload_even_when_one_is_stored_for_false() -> None:
    result = _first(evaluate(flag("f", condition(rollout=0), payloads=PAYLOADS), "user-0"))
    assert (result.value, result.payload) == (False, None)


def test_payloads_are_returned_unparsed() -> None:
    stored = {"true": '{"a": [1, 2]}'}
    result = _first(evaluate(flag("f", condition(), payloads=stored), "user-0"))
    assert result.payload == '{"a": [1, 2]}'


def test_result_carries_flag_id_and_version() -> None:
    result = _first(evaluate(flag("f", condition(), flag_id=42, version=7), "user-0"))
    assert (result.flag_id, result.version, result.failed, result.error_code) == (42, 7, False, None)
