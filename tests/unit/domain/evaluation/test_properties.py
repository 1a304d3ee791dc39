"""Hypothesis properties of bucketing: determinism, monotone rollouts, converging variant shares."""

from __future__ import annotations

from collections import Counter
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from flagcore.domain.evaluation import Subject, compile_snapshot
from tests.unit.domain.evaluation.support import NOW, condition, flag, person, variants

keys = st.text(st.characters(codec="utf-8"), min_size=1, max_size=20)
ids = st.text(st.characters(codec="utf-8"), max_size=40)
percentages = st.floats(min_value=0, max_value=100, allow_nan=False)


@st.composite
def definitions(draw: st.DrawFn) -> dict[str, Any]:
    conditions = [
        condition(
            *([person("plan", draw(st.sampled_from(["free", "pro"])))] if draw(st.booleans()) else []),
            rollout=draw(st.none() | percentages),
        )
        for _ in range(draw(st.integers(0, 3)))
    ]
    weights = draw(st.lists(st.integers(0, 60), max_size=4))
    multivariate = variants(**{f"v{i}": weight for i, weight in enumerate(weights)}) if weights else None
    return flag(draw(keys), *conditions, multivariate=multivariate)


@settings(max_examples=150, deadline=None)
@given(definitions(), ids, st.sampled_from(["free", "pro"]))
def test_evaluation_is_deterministic(definition: dict[str, Any], distinct_id: str, plan: str) -> None:
    subject = Subject(distinct_id=distinct_id, person_properties={"plan": plan})
    first = compile_snapshot({"flags": [definition]}).evaluate(subject, now=NOW)
    again = compile_snapshot({"flags": [definition]}).evaluate(subject, now=NOW)
    assert first == again


@settings(max_examples=200, deadline=None)
@given(keys, ids, percentages, percentages)
def test_raising_a_rollout_never_removes_a_user(key: str, distinct_id: str, low: float, high: float) -> None:
    low, high = sorted((low, high))
    # Both rollouts must share the flag key to hash alike, so they live in two snapshots.
    results = [
        compile_snapshot({"flags": [flag(key, condition(rollout=pct))]}).evaluate(
            Subject(distinct_id=distinct_id), now=NOW
        )
        for pct in (low, high)
    ]
    if results[0][key].enabled:
        assert results[1][key].enabled


@settings(max_examples=8, deadline=None)
@given(keys, st.lists(st.integers(5, 60), min_size=2, max_size=4).filter(lambda w: sum(w) <= 100))
def test_variant_shares_converge_to_their_percentages(key: str, weights: list[int]) -> None:
    definition = flag(key, condition(), multivariate=variants(**{f"v{i}": w for i, w in enumerate(weights)}))
    compiled = compile_snapshot({"flags": [definition]})
    total = 4000
    counts = Counter(compiled.evaluate(Subject(distinct_id=f"subject-{i}"), now=NOW)[key].value for i in range(total))
    for i, weight in enumerate(weights):
        assert abs(counts[f"v{i}"] / total - weight / 100) < 0.035
    # Weights below 100 leave the rest of the users on plain `true`.
    assert abs(counts[True] / total - (100 - sum(weights)) / 100) < 0.035
