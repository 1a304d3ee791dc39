"""The server's v1 evaluation corpus: every case, every field the server pins (value, payload, reason, index)."""

from __future__ import annotations

from typing import Any

import pytest

from flagcore.domain.evaluation import Subject, compile_snapshot
from tests.unit.domain.evaluation.support import NOW, load_vectors

CASES = load_vectors("rust_v1_evaluation_corpus.json")["cases"]


def _subject(context: dict[str, Any]) -> Subject:
    return Subject(
        distinct_id=context["distinct_id"],
        person_properties=context.get("person_properties", {}),
        groups=context.get("groups", {}),
        group_properties=context.get("group_properties", {}),
    )


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_corpus_case(case: dict[str, Any]) -> None:
    results = compile_snapshot(case["definitions"]).evaluate(_subject(case["context"]), now=NOW)

    expected_flags = case["expected"]["flags"]
    assert set(results) == set(expected_flags)
    assert not set(case["expected"]["omitted_flags"]) & set(results)
    for key, expected in expected_flags.items():
        result = results[key]
        assert result.value == expected["value"]
        assert result.enabled is expected["enabled"]
        assert result.variant == expected["variant"]
        assert result.payload == expected["payload"]
        assert result.reason == expected["reason"]["code"]
        assert result.condition_index == expected["reason"]["condition_index"]
        assert not result.failed
