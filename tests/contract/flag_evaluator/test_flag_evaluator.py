"""The FlagEvaluator contract (its docstring), run against every adapter over the same catalogue of flags."""

from __future__ import annotations

import uuid

import pytest

from flagcore.ports.flag_evaluator import EvaluatedFlag
from tests.contract.flag_evaluator.catalogue import expected, half_rollout, hash01
from tests.contract.flag_evaluator.conftest import EvaluatorUnderTest

DISTINCT_IDS = ("distinct_id_0", "distinct_id_1", "user-42", "ünïcode ✓", "x" * 250)


@pytest.mark.parametrize("distinct_id", DISTINCT_IDS)
async def test_each_flag_evaluates_by_the_servers_rules(remote_evaluator: EvaluatorUnderTest, distinct_id: str) -> None:
    results = await remote_evaluator.evaluate(distinct_id)
    assert results == expected(distinct_id[:200])  # the server buckets on the first 200 characters


async def test_inactive_and_deleted_flags_are_omitted(remote_evaluator: EvaluatorUnderTest) -> None:
    results = await remote_evaluator.evaluate("someone")
    assert "inactive" not in results
    assert "deleted" not in results


async def test_the_catalogue_covers_both_rollout_outcomes(remote_evaluator: EvaluatorUnderTest) -> None:
    # Guards the oracle itself: the chosen ids land on both sides of the 50% rollout and of the variant split.
    assert {hash01("half", d) <= 0.5 for d in DISTINCT_IDS} == {True, False}
    values = {(await remote_evaluator.evaluate(d))["multivariate"].variant for d in DISTINCT_IDS}
    assert values == {"control", "test"}


async def test_results_are_stable_across_calls(remote_evaluator: EvaluatorUnderTest) -> None:
    first = await remote_evaluator.evaluate("repeat-me")
    assert await remote_evaluator.evaluate("repeat-me") == first


async def test_groups_are_accepted(remote_evaluator: EvaluatorUnderTest) -> None:
    # No flag of the catalogue aggregates by group, so groups change nothing; they must not be rejected either.
    results = await remote_evaluator.evaluate("with-groups", {"organization": "acme", "instance": "42"})
    assert results == expected("with-groups")


async def test_value_is_the_variant_else_enabled(remote_evaluator: EvaluatorUnderTest) -> None:
    results = await remote_evaluator.evaluate("user-42")
    assert results["pinned"].value == "test"
    assert results["always"].value is True
    assert results["never"].value is False
    assert results["missing-cohort"].value is False


async def test_a_failing_flag_is_reported_failed_and_the_others_still_evaluate(
    remote_evaluator: EvaluatorUnderTest,
) -> None:
    results = await remote_evaluator.evaluate("user-42")
    assert [key for key, result in results.items() if result.failed] == ["missing-cohort"]
    assert results["missing-cohort"].enabled is False
    assert results["always"] == EvaluatedFlag(enabled=True, reason="condition_match", condition_index=0)


async def test_stored_hash_keys_keep_experience_continuity(remote_evaluator: EvaluatorUnderTest) -> None:
    # An identified id and its earlier anonymous id that fall on different sides of the rollout, so the test shows
    # which one was hashed. Fresh ids per run: the HTTP side's store outlives a test.
    run = uuid.uuid4().hex
    pairs = ((f"user-{run}-{n}", f"anon-{run}-{n}") for n in range(1000))
    user, anon = next(p for p in pairs if half_rollout("continuity", p[0]) != half_rollout("continuity", p[1]))
    assert (await remote_evaluator.evaluate(user))["continuity"] == half_rollout("continuity", user)
    await remote_evaluator.identify(user, anon)
    results = await remote_evaluator.evaluate(user)
    assert results["continuity"] == half_rollout("continuity", anon)
    assert results["half"] == half_rollout("half", user)  # flags without continuity still hash the distinct id
