"""Rendering evaluations in every response version: the server's projection vectors and the version table."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec
import pytest

from flagcore.app.evaluation.evaluate_flags import FlagsEvaluation
from flagcore.app.http.evaluation.flags_response import CLIENT_CONFIG, Shape, parse_version, render, response_shape
from flagcore.domain.evaluation import FlagResult

VECTORS = Path(__file__).parents[3] / ".." / "shared" / "vectors"
PROJECTION = json.loads((VECTORS / "rust_legacy_response_projection.json").read_text())
SHAPES = {
    "flags_v2": Shape.DETAILED,
    "flags_v1": Shape.LEGACY,
    "decide_v2": Shape.DECIDE_V2,
    "decide_v1": Shape.DECIDE_V1,
}
EVALUATED_AT = datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)
REQUEST_ID = "3b8e6e60-43a8-4a5e-8a42-7e6c1c3c1c5b"


def result_of(outcome: dict[str, Any]) -> FlagResult:
    reason = outcome["reason"]
    return FlagResult(
        key=outcome["key"],
        enabled=outcome["enabled"],
        variant=outcome["variant"],
        payload=outcome["payload"],
        reason=reason["code"],
        condition_index=reason["condition_index"],
        description=None if outcome["failed"] else f"description of {reason['code']}",
        error_code=reason["code"] if outcome["failed"] else None,
        flag_id=outcome["flag_id"],
        version=outcome["flag_version"],
    )


def evaluation_of(outcome: dict[str, Any]) -> FlagsEvaluation:
    # An omitted outcome (inactive flag) is what the engine never returns.
    flags = {} if outcome["omitted"] else {outcome["key"]: result_of(outcome)}
    failed = any(result.failed for result in flags.values())
    return FlagsEvaluation(flags=flags, errors_while_computing_flags=failed, evaluated_at=EVALUATED_AT)


def rendered(evaluation: FlagsEvaluation, shape: Shape, *, config: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(render(evaluation, shape, request_id=REQUEST_ID, config=config))
    return body


def contains(actual: Any, expected: Any) -> bool:
    """``expected`` is a projection of ``actual``: the vectors assert some fields of each record, not all."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(k in actual and contains(actual[k], v) for k, v in expected.items())
    return bool(actual == expected and type(actual) is type(expected))


CASES = [
    pytest.param(case, name, id=f"{case['id']}-{name}") for case in PROJECTION["cases"] for name in case["projections"]
]


@pytest.mark.parametrize(("case", "projection"), CASES)
def test_projection_vectors(case: dict[str, Any], projection: str) -> None:
    expected = case["projections"][projection]
    body = rendered(evaluation_of(case["outcome"]), SHAPES[projection])
    assert contains(body, expected), body
    # Flag maps and key lists are exact: nothing more than the vector lists.
    for name in ("flags", "featureFlags", "featureFlagPayloads"):
        if name in expected:
            assert body[name] == expected[name] if name != "flags" else set(body[name]) == set(expected[name])


def test_every_vector_outcome_and_projection_is_covered() -> None:
    assert len(CASES) == len(PROJECTION["cases"]) * 4
    assert {name for case in PROJECTION["cases"] for name in case["projections"]} == set(SHAPES)


@pytest.mark.parametrize("shape", list(Shape))
def test_every_shape_has_request_id_and_evaluated_at(shape: Shape) -> None:
    body = rendered(FlagsEvaluation(flags={}, errors_while_computing_flags=False, evaluated_at=EVALUATED_AT), shape)
    assert body["requestId"] == REQUEST_ID
    assert str(uuid.UUID(body["requestId"])) == REQUEST_ID
    assert body["evaluatedAt"] == 1767323045678
    assert "quotaLimited" not in body
    assert ("errorsWhileComputingFlags" in body) is (shape not in {Shape.DECIDE_V1, Shape.DECIDE_V2})


FAILED = FlagResult(key="broken", enabled=False, reason="timeout", error_code="timeout", flag_id=3, version=None)
VARIANT = FlagResult(
    key="layout",
    enabled=True,
    variant="compact",
    payload='{"d":1}',
    reason="condition_match",
    condition_index=1,
    description="Matched condition set 2",
    flag_id=7,
    version=5,
)
BOOLEAN = FlagResult(
    key="beta", enabled=True, payload='{"cta":"go"}', reason="condition_match", condition_index=0, flag_id=1, version=2
)
OFF = FlagResult(key="off", enabled=False, reason="no_condition_match", condition_index=0, flag_id=2, version=1)


def typed_records() -> dict[str, Any]:
    flags = {result.key: result for result in (VARIANT, BOOLEAN, OFF, FAILED)}
    evaluation = FlagsEvaluation(flags=flags, errors_while_computing_flags=True, evaluated_at=EVALUATED_AT)
    records: dict[str, Any] = rendered(evaluation, Shape.TYPED)["flags"]
    return records


def test_typed_records_carry_a_value_and_config_version_1() -> None:
    records = typed_records()
    assert records["layout"] == {
        "key": "layout",
        "value": "compact",
        "reason": {"code": "condition_match", "condition_index": 1, "description": "Matched condition set 2"},
        "metadata": {
            "id": 7,
            "version": 5,
            "config_version": 1,
            "description": None,
            "payload": '{"d":1}',
            "has_experiment": False,
            "variant_key": "compact",
        },
    }
    assert records["beta"]["value"] is True
    assert "variant_key" not in records["beta"]["metadata"]
    assert records["off"]["value"] is False
    assert records["broken"]["value"] is None
    assert records["broken"]["failed"] is True
    assert records["broken"]["metadata"]["version"] == 0  # a null version is reported as 0
    assert records["broken"]["reason"] == {"code": "timeout", "condition_index": None}


def test_typed_records_are_read_by_the_posthog_client_as_intended() -> None:
    from posthog.types import normalize_flags_response, to_flags_and_payloads  # noqa: PLC0415 - test-only oracle

    body = rendered(
        FlagsEvaluation(
            flags={result.key: result for result in (VARIANT, BOOLEAN, OFF, FAILED)},
            errors_while_computing_flags=True,
            evaluated_at=EVALUATED_AT,
        ),
        Shape.TYPED,
    )
    parsed = to_flags_and_payloads(normalize_flags_response(body))
    assert parsed["featureFlags"] == {"layout": "compact", "beta": True, "off": False}
    assert parsed["featureFlagPayloads"] == {"layout": '{"d":1}', "beta": '{"cta":"go"}'}


def test_detailed_records_omit_failed_unless_true() -> None:
    evaluation = FlagsEvaluation(
        flags={"off": OFF, "broken": FAILED}, errors_while_computing_flags=True, evaluated_at=EVALUATED_AT
    )
    records = rendered(evaluation, Shape.DETAILED)["flags"]
    assert "failed" not in records["off"]
    assert records["broken"]["failed"] is True
    assert records["off"]["metadata"] == {
        "id": 2,
        "version": 1,
        "description": None,
        "payload": None,
        "has_experiment": False,
    }


def test_config_adds_the_client_configuration() -> None:
    evaluation = FlagsEvaluation(flags={"beta": BOOLEAN}, errors_while_computing_flags=False, evaluated_at=EVALUATED_AT)
    body = rendered(evaluation, Shape.DETAILED, config=True)
    assert {key: body[key] for key in CLIENT_CONFIG} == CLIENT_CONFIG
    assert body["hasFeatureFlags"] is True
    assert "supportedCompression" not in rendered(evaluation, Shape.DETAILED)


@pytest.mark.parametrize(
    ("decide", "version", "shape"),
    [
        (False, None, Shape.LEGACY),
        (False, 1, Shape.LEGACY),
        (False, 0, Shape.LEGACY),
        (False, -3, Shape.LEGACY),
        (False, 2, Shape.DETAILED),
        (False, 3, Shape.DETAILED),
        (False, 4, Shape.TYPED),
        (False, 9, Shape.TYPED),
        (True, None, Shape.DECIDE_V1),
        (True, 1, Shape.DECIDE_V1),
        (True, 0, Shape.DECIDE_V1),
        (True, 2, Shape.DECIDE_V2),
        (True, 3, Shape.LEGACY),
        (True, 4, Shape.DETAILED),
        (True, 7, Shape.DETAILED),
    ],
)
def test_version_table(decide: bool, version: int | None, shape: Shape) -> None:
    assert response_shape(decide=decide, version=version) is shape


@pytest.mark.parametrize(
    ("raw", "version"), [(None, None), ("", None), ("2", 2), ("4", 4), ("abc", 1), ("2.5", 1), ("-1", -1)]
)
def test_version_parsing(raw: str | None, version: int | None) -> None:
    assert parse_version(raw) == version


def test_records_of_different_result_objects_never_share_an_encoding() -> None:
    # Records are cached by result object: a new object (next snapshot, same key) must render afresh.
    first = FlagsEvaluation(flags={"beta": BOOLEAN}, errors_while_computing_flags=False, evaluated_at=EVALUATED_AT)
    changed = msgspec.structs.replace(BOOLEAN, enabled=False, payload=None, version=3)
    second = FlagsEvaluation(flags={"beta": changed}, errors_while_computing_flags=False, evaluated_at=EVALUATED_AT)
    for shape in (Shape.DETAILED, Shape.TYPED):
        assert rendered(first, shape)["flags"]["beta"]["metadata"]["version"] == 2
        assert rendered(second, shape)["flags"]["beta"]["metadata"]["version"] == 3
        assert rendered(first, shape) == rendered(first, shape)


@pytest.mark.parametrize("shape", [Shape.DETAILED, Shape.TYPED])
def test_records_render_the_same_cached_uncached_and_mixed(shape: Shape) -> None:
    # Fresh result objects are not cached yet, so the first render encodes them all, the second reads them all
    # from the cache, and the third mixes a cached record with a new one.
    results = [msgspec.structs.replace(result) for result in (VARIANT, BOOLEAN, OFF, FAILED)]
    evaluation = FlagsEvaluation(
        flags={result.key: result for result in results}, errors_while_computing_flags=True, evaluated_at=EVALUATED_AT
    )
    first = render(evaluation, shape, request_id=REQUEST_ID, config=False)
    assert render(evaluation, shape, request_id=REQUEST_ID, config=False) == first
    fresh = msgspec.structs.replace(results[1])
    mixed = FlagsEvaluation(
        flags={results[0].key: results[0], fresh.key: fresh},
        errors_while_computing_flags=True,
        evaluated_at=EVALUATED_AT,
    )
    records = json.loads(render(mixed, shape, request_id=REQUEST_ID, config=False))["flags"]
    expected = json.loads(first)["flags"]
    assert records == {key: expected[key] for key in (results[0].key, fresh.key)}
    assert list(records) == [results[0].key, fresh.key]
