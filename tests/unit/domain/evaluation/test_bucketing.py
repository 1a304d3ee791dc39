"""Hashing and bucketing against the server's hash corpus (spec §2, §4)."""

from __future__ import annotations

import hashlib
from collections import Counter
from typing import Any

import pytest

from flagcore.domain.evaluation.bucketing import (
    VARIANT_SALT,
    bucket_hash,
    build_variant_table,
    hash01,
    holdout_hash,
    in_rollout,
    normalize_identifier,
    rollout_threshold,
    select_variant,
    truncate_distinct_id,
)
from tests.unit.domain.evaluation.support import condition, evaluate, flag, load_vectors, variants

CORPUS = load_vectors("rust_hash_sha1_60_v1.json")


def _ids(items: list[dict[str, Any]]) -> list[str]:
    return [item["id"] for item in items]


@pytest.mark.parametrize("vector", CORPUS["vectors"], ids=_ids(CORPUS["vectors"]))
def test_hash_matches_corpus(vector: dict[str, Any]) -> None:
    data = (vector["prefix"] + vector["identifier"] + vector["salt"]).encode()
    assert data == vector["input"].encode()
    assert hashlib.sha1(data, usedforsecurity=False).hexdigest() == vector["sha1_hex"]
    assert hash01(data) == vector["hash01"]


@pytest.mark.parametrize("vector", CORPUS["vectors"], ids=_ids(CORPUS["vectors"]))
def test_rollout_and_holdout_checks_match_corpus(vector: dict[str, Any]) -> None:
    for check in vector.get("rollout_checks", []):
        assert rollout_threshold(check["percentage"]) in (None, check["threshold"])
        assert in_rollout(vector["hash01"], check["percentage"]) is check["included"]
    for check in vector.get("holdout_checks", []):
        assert holdout_hash(vector["identifier"].encode()) == vector["hash01"]
        assert in_rollout(vector["hash01"], check["percentage"]) is check["included"]


@pytest.mark.parametrize("vector", [v for v in CORPUS["vectors"] if "variant_check" in v], ids=lambda v: v["id"])
def test_variant_check_matches_corpus(vector: dict[str, Any]) -> None:
    check = vector["variant_check"]
    table = build_variant_table([(v["key"], v["rollout_percentage"]) for v in check["variants"]])
    assert [bound for bound, _ in table] == check["cumulative_boundaries"]
    assert select_variant(table, vector["hash01"]) == check["selected"]


@pytest.mark.parametrize(
    "vector",
    [v for v in CORPUS["vectors"] if "identifier_before_truncation" in v],
    ids=lambda v: v["id"],
)
def test_distinct_id_truncates_to_200_code_points(vector: dict[str, Any]) -> None:
    truncated = truncate_distinct_id(vector["identifier_before_truncation"])
    assert truncated == vector["identifier"]
    assert bucket_hash(vector["prefix"].encode(), truncated.encode()) == vector["hash01"]


@pytest.mark.parametrize("vector", CORPUS["threshold_vectors"], ids=_ids(CORPUS["threshold_vectors"]))
def test_threshold_vectors(vector: dict[str, Any]) -> None:
    assert in_rollout(vector["hash01"], vector["rollout_percentage"]) is vector["included"]


@pytest.mark.parametrize("vector", CORPUS["variant_vectors"], ids=_ids(CORPUS["variant_vectors"]))
def test_variant_vectors(vector: dict[str, Any]) -> None:
    table = build_variant_table([(v["key"], v["rollout_percentage"]) for v in vector["variants"]])
    if "cumulative_boundaries" in vector:
        assert [bound for bound, _ in table] == vector["cumulative_boundaries"]
    assert select_variant(table, vector["hash01"]) == vector["selected"]


@pytest.mark.parametrize(
    ("prefix", "identifier", "salt", "expected"),
    [
        ("simple-flag.", "distinct_id_0", b"", 0.7836963764220432),
        ("simple-flag.", "distinct_id_1", b"", 0.3397069926995401),
        ("multivariate-flag.", "distinct_id_0", b"", 0.502037796130735),
        ("multivariate-flag.", "distinct_id_0", VARIANT_SALT, 0.6186454537930379),
    ],
)
def test_spec_worked_values(prefix: str, identifier: str, salt: bytes, expected: float) -> None:
    assert bucket_hash(prefix.encode(), identifier.encode(), salt) == expected


def test_empty_identifier_hashes_to_zero_but_holdout_hashes_the_prefix() -> None:
    assert bucket_hash(b"beta-search.", b"") == 0.0
    assert bucket_hash(b"beta-search.", b"", VARIANT_SALT) == 0.0
    assert holdout_hash(b"") == hash01(b"holdout-") != 0.0


@pytest.mark.parametrize(
    ("percentage", "threshold"),
    [(None, None), (100, None), (150, None), (0, 0.0), (33.34, 0.33340000000000003), (99.9, 0.9990000000000001)],
)
def test_rollout_threshold(percentage: float | None, threshold: float | None) -> None:
    assert rollout_threshold(percentage) == threshold


def test_hash_of_one_gets_no_variant_even_when_weights_sum_to_100() -> None:
    table = build_variant_table([("control", 50), ("test", 50)])
    assert select_variant(table, 1.0) is None
    assert select_variant(table, 0.0) == "control"


def test_zero_percent_variant_is_never_selected() -> None:
    table = build_variant_table([("a", 50), ("never", 0), ("b", 50)])
    assert {select_variant(table, h / 1000) for h in range(1000)} == {"a", "b"}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("org-9", "org-9"),
        ("", ""),
        (42, "42"),
        (-7, "-7"),
        (123.45, "123.45"),
        (1.0, "1.0"),
        (1e20, "1e20"),
        (1e-7, "1e-7"),
        (True, None),
        (None, None),
        ([1], None),
        ({"a": 1}, None),
        (float("nan"), None),
    ],
)
def test_normalize_identifier(value: object, expected: str | None) -> None:
    assert normalize_identifier(value) == expected


def test_simple_flag_consistency_count() -> None:
    # Spec §11: rollout 45 over distinct_id_0..999 enables exactly 446 ids.
    definition = flag("simple-flag", condition(rollout=45))
    enabled = sum(evaluate(definition, f"distinct_id_{i}")["simple-flag"].enabled for i in range(1000))
    assert enabled == 446


def test_multivariate_flag_consistency_counts() -> None:
    # Spec §11: rollout 55, variants 50/20/20/5/5 over distinct_id_0..999.
    definition = flag(
        "multivariate-flag",
        condition(rollout=55),
        multivariate=variants(
            **{
                "first-variant": 50,
                "second-variant": 20,
                "third-variant": 20,
                "fourth-variant": 5,
                "fifth-variant": 5,
            }
        ),
    )
    counts = Counter(evaluate(definition, f"distinct_id_{i}")["multivariate-flag"].value for i in range(1000))
    assert counts == {
        False: 444,
        "first-variant": 290,
        "second-variant": 110,
        "third-variant": 111,
        "fourth-variant": 24,
        "fifth-variant": 21,
    }
    assert evaluate(definition, "distinct_id_0")["multivariate-flag"].value == "second-variant"
