"""Which identifier is hashed (spec §2.3): distinct id, device id, hash-key overrides, group keys."""

from __future__ import annotations

from typing import Any

import pytest

from flagcore.domain.evaluation import Subject
from flagcore.domain.evaluation.bucketing import VARIANT_SALT, bucket_hash
from tests.unit.domain.evaluation.support import condition, evaluate, flag, group_prop, outcome, variants

MAPPING = {"group_type_mapping": {"0": "company", "1": "team"}}
IDS = [f"user-{i}" for i in range(12)]


def _value(definition: dict[str, Any], subject: Subject | str, **document: Any) -> Any:
    (result,) = evaluate(definition, subject, **document).values()
    return result.value


def _in_half(key: str, identifier: str) -> bool:
    return bucket_hash(f"{key}.".encode(), identifier.encode()) <= 0.5


@pytest.mark.parametrize("identifier", IDS)
def test_device_bucketing_hashes_the_device_id(identifier: str) -> None:
    definition = flag("f", condition(rollout=50), bucketing_identifier="device_id")
    subject = Subject(distinct_id="someone-else", device_id=identifier)
    assert _value(definition, subject) is _in_half("f", identifier)


def test_device_bucketing_without_device_id_skips_person_conditions_as_rollout_miss() -> None:
    definition = flag("f", condition(), bucketing_identifier="device_id")
    for subject in (Subject(distinct_id="u"), Subject(distinct_id="u", device_id="")):
        (result,) = evaluate(definition, subject).values()
        assert outcome(result) == (False, "out_of_rollout_bound", 0)


def test_device_bucketing_without_device_id_still_evaluates_group_conditions() -> None:
    definition = flag(
        "f",
        condition(aggregation_group_type_index=None),
        condition(aggregation_group_type_index=0),
        bucketing_identifier="device_id",
    )
    (result,) = evaluate(definition, Subject(distinct_id="u", groups={"company": "acme"}), **MAPPING).values()
    assert outcome(result) == (True, "condition_match", 1)


@pytest.mark.parametrize("identifier", IDS)
def test_stored_hash_key_override_replaces_distinct_id(identifier: str) -> None:
    definition = flag("f", condition(rollout=50), ensure_experience_continuity=True)
    subject = Subject(distinct_id="new-id", anon_distinct_id="ignored", hash_key_overrides={"f": identifier})
    assert _value(definition, subject) is _in_half("f", identifier)


@pytest.mark.parametrize("identifier", IDS)
def test_continuity_flag_falls_back_to_anon_distinct_id(identifier: str) -> None:
    continuity = flag("f", condition(rollout=50), ensure_experience_continuity=True)
    plain = flag("f", condition(rollout=50))
    subject = Subject(distinct_id="user-x", anon_distinct_id=identifier)
    assert _value(continuity, subject) is _in_half("f", identifier)
    assert _value(plain, subject) is _in_half("f", "user-x")


def test_device_id_outranks_hash_key_override() -> None:
    definition = flag("f", condition(), multivariate=variants(a=50, b=50), bucketing_identifier="device_id")
    subject = Subject(distinct_id="u", device_id="user-3", hash_key_overrides={"f": "user-0"})
    expected = "a" if bucket_hash(b"f.", b"user-3", VARIANT_SALT) < 0.5 else "b"
    assert _value(definition, subject) == expected


@pytest.mark.parametrize("group_key", ["acme", "globex", "initech", "umbrella", "hooli", 42, 7])
def test_group_flag_hashes_the_group_key_for_rollout_and_variant(group_key: str | int) -> None:
    definition = flag(
        "org",
        condition(group_prop("tier", "gold"), rollout=50),
        aggregation_group_type_index=0,
        multivariate=variants(a=50, b=50),
    )
    subject = Subject(
        distinct_id="same-person", groups={"company": group_key}, group_properties={"company": {"tier": "gold"}}
    )
    text = str(group_key).encode()
    expected: Any = False
    if bucket_hash(b"org.", text) <= 0.5:
        expected = "a" if bucket_hash(b"org.", text, VARIANT_SALT) < 0.5 else "b"
    assert _value(definition, subject, **MAPPING) == expected


@pytest.mark.parametrize(
    "groups",
    [{}, {"company": ""}, {"company": True}, {"company": None}, {"team": "t1"}, {"unknown": "x"}],
    ids=["absent", "empty", "bool", "null", "other-type", "unmapped-name"],
)
def test_group_condition_without_usable_group_key_is_skipped(groups: dict[str, Any]) -> None:
    definition = flag("org", condition(), aggregation_group_type_index=0)
    (result,) = evaluate(definition, Subject(distinct_id="u", groups=groups), **MAPPING).values()
    assert outcome(result) == (False, "no_group_type", 0)


def test_group_type_index_missing_from_mapping_is_no_group_type() -> None:
    definition = flag("org", condition(), aggregation_group_type_index=5)
    (result,) = evaluate(definition, Subject(distinct_id="u", groups={"company": "acme"}), **MAPPING).values()
    assert outcome(result) == (False, "no_group_type", 0)


def test_condition_aggregation_overrides_flag_level() -> None:
    # Condition 0 targets the person (explicit null), condition 1 inherits the flag's group type 1.
    definition = flag(
        "mixed",
        condition(rollout=0, aggregation_group_type_index=None),
        condition(group_prop("size", "big", index=1)),
        aggregation_group_type_index=1,
    )
    subject = Subject(distinct_id="u", groups={"team": "t1"}, group_properties={"team": {"size": "big"}})
    (result,) = evaluate(definition, subject, **MAPPING).values()
    assert outcome(result) == (True, "condition_match", 1)


def test_person_flag_condition_can_aggregate_by_group() -> None:
    definition = flag("mixed", condition(rollout=50, aggregation_group_type_index=0))
    for key in ("acme", "globex", "initech", "umbrella"):
        subject = Subject(distinct_id="same-person", groups={"company": key})
        assert _value(definition, subject, **MAPPING) is _in_half("mixed", key)


def test_empty_distinct_id_is_in_every_rollout_and_gets_the_first_variant() -> None:
    definition = flag("f", condition(rollout=0), multivariate=variants(a=10, b=90))
    assert _value(definition, "") == "a"


def test_negative_rollout_excludes_even_the_empty_identifier() -> None:
    assert _value(flag("f", condition(rollout=-1)), "") is False


@pytest.mark.parametrize("tail", ["", "x", "🙂" * 30])
def test_distinct_id_beyond_200_code_points_is_truncated(tail: str) -> None:
    base = "é" * 199 + "🙂"
    definition = flag("f", condition(), multivariate=variants(**{f"v{i}": 10 for i in range(10)}))
    assert _value(definition, base + tail) == _value(definition, base)
    expected_hash = bucket_hash(b"f.", base.encode(), VARIANT_SALT)
    assert _value(definition, base + tail) == f"v{int(expected_hash * 10)}"
