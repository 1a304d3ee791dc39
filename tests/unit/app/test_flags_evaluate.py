"""``EvaluateFlags`` wired by hand: authentication, experience continuity, and failures that must not fail requests."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import pytest

from flagcore.adapters.memory import (
    FixedClock,
    MemoryCohortRepo,
    MemoryGroupRepo,
    MemoryHashKeyOverrideRepo,
    MemoryPersonRepo,
    MemoryProjectRepo,
)
from flagcore.app.evaluation.evaluate_flags import (
    EvaluateFlags,
    EvaluateFlagsCommand,
    InvalidTokenError,
    MissingDistinctIdError,
    MissingTokenError,
)
from flagcore.app.evaluation.pipeline import HASH_KEY_OVERRIDE_ERROR, EvaluationPipeline
from flagcore.app.evaluation.stored_properties import StoredProperties
from flagcore.domain.evaluation import CompiledSnapshot, Subject, compile_snapshot
from flagcore.domain.identity import Project
from flagcore.domain.snapshots import EncodedSnapshot
from flagcore.ports.errors import BackendUnavailableError
from flagcore.ports.hash_key_overrides import HashKeyOverrideRepo
from flagcore.ports.snapshots import ProjectSnapshots

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
TOKEN = "phc_unit"
VARIANTS = {"variants": [{"key": "control", "rollout_percentage": 50}, {"key": "test", "rollout_percentage": 50}]}


def definition(key: str, flag_id: int, **fields: Any) -> dict[str, Any]:
    filters = fields.pop("filters", {"groups": [{"properties": [], "rollout_percentage": 100}]})
    return {"id": flag_id, "key": key, "active": True, "version": 1, "filters": filters, **fields}


CONTINUITY = definition(
    "sticky",
    1,
    ensure_experience_continuity=True,
    filters={"groups": [{"properties": [], "rollout_percentage": 100}], "multivariate": VARIANTS},
)
PLAIN = definition("plain", 2)
SERVER_ONLY = definition("server-only", 3, evaluation_runtime="server")
TAGGED = definition("web-only", 4, evaluation_contexts=["web"])
BROKEN = definition(
    "broken", 5, filters={"groups": [{"properties": [{"key": "id", "type": "cohort", "operator": "in", "value": 999}]}]}
)


class StaticSnapshots(ProjectSnapshots):
    def __init__(self, definitions: Mapping[str, Any]) -> None:
        self.snapshot = compile_snapshot(definitions)

    async def definitions(self, project: Project, *, with_cohorts: bool) -> EncodedSnapshot:
        raise NotImplementedError

    async def compiled(self, project: Project) -> CompiledSnapshot:
        return self.snapshot

    async def invalidate(self, project_id: int) -> None:
        pass  # nothing is cached


class DownOverrides(HashKeyOverrideRepo):
    async def get(self, project_id: int, distinct_ids: Sequence[str]) -> dict[str, str]:
        raise BackendUnavailableError

    async def set_missing(
        self,
        project_id: int,
        distinct_ids: Sequence[str],
        overrides: Mapping[str, str],
    ) -> None:
        raise BackendUnavailableError


async def use_case(*flags: dict[str, Any], overrides: HashKeyOverrideRepo | None = None) -> EvaluateFlags:
    projects = MemoryProjectRepo()
    await projects.create(organization_id="org", name="p", api_token=TOKEN, timezone="UTC", created_at=NOW)
    snapshots = StaticSnapshots({"flags": list(flags)})
    pipeline = EvaluationPipeline(overrides or MemoryHashKeyOverrideRepo(), FixedClock(NOW))
    return EvaluateFlags(
        projects, snapshots, pipeline, StoredProperties(MemoryPersonRepo(), MemoryGroupRepo(), MemoryCohortRepo())
    )


def cmd(**fields: Any) -> EvaluateFlagsCommand:
    return EvaluateFlagsCommand(**{"token": TOKEN, "distinct_id": "user", **fields})


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"token": None}, MissingTokenError),
        ({"token": ""}, MissingTokenError),
        ({"token": "phc_other"}, InvalidTokenError),
        ({"distinct_id": None}, MissingDistinctIdError),
    ],
)
async def test_bad_requests(fields: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        await (await use_case(PLAIN)).execute(cmd(**fields))


async def test_disable_flags_needs_no_distinct_id_and_returns_nothing() -> None:
    result = await (await use_case(PLAIN)).execute(cmd(distinct_id=None, disable_flags=True))
    assert result.flags == {}
    assert result.evaluated_at == NOW
    with pytest.raises(InvalidTokenError):  # the token is still checked
        await (await use_case(PLAIN)).execute(cmd(token="nope", disable_flags=True))


async def test_runtime_from_user_agent_headers_or_explicit_field() -> None:
    evaluate = await use_case(PLAIN, SERVER_ONLY)
    server = await evaluate.execute(cmd(user_agent="posthog-python/7.91.1"))
    browser = await evaluate.execute(cmd(user_agent="Mozilla/5.0"))
    unknown_with_origin = await evaluate.execute(cmd(headers={"origin": "https://app"}))
    explicit = await evaluate.execute(cmd(user_agent="Mozilla/5.0", evaluation_runtime="SERVER"))
    assert set(server.flags) == {"plain", "server-only"}
    assert set(browser.flags) == {"plain"}
    assert set(unknown_with_origin.flags) == {"plain"}
    assert set(explicit.flags) == {"plain", "server-only"}


async def test_evaluation_contexts_and_flag_keys_select_flags() -> None:
    evaluate = await use_case(PLAIN, TAGGED)
    assert set((await evaluate.execute(cmd(evaluation_contexts=["mobile"]))).flags) == {"plain"}
    assert set((await evaluate.execute(cmd(evaluation_contexts=["web"]))).flags) == {"plain", "web-only"}
    assert set((await evaluate.execute(cmd(flag_keys=["web-only", "missing"]))).flags) == {"web-only"}


async def test_a_failing_flag_is_reported_failed_and_the_others_evaluate() -> None:
    result = await (await use_case(PLAIN, BROKEN)).execute(cmd())
    assert result.flags["plain"].enabled is True
    assert result.flags["broken"].failed
    assert result.errors_while_computing_flags is True
    clean = await (await use_case(PLAIN)).execute(cmd())
    assert clean.errors_while_computing_flags is False


async def test_dependency_cycles_set_errors_while_computing_flags() -> None:
    depends = {"key": "{}", "type": "flag", "operator": "flag_evaluates_to", "value": True}
    one = definition("one", 10, filters={"groups": [{"properties": [{**depends, "key": "11"}]}]})
    two = definition("two", 11, filters={"groups": [{"properties": [{**depends, "key": "10"}]}]})
    result = await (await use_case(PLAIN, one, two)).execute(cmd())
    assert result.flags["one"].reason == "missing_dependency"
    assert not result.flags["one"].failed
    assert result.errors_while_computing_flags is True


def variant_of(distinct_id: str) -> str | None:
    # The variant an id gets when hashed itself: what continuity must preserve for the anonymous id.
    plain = compile_snapshot({"flags": [{**CONTINUITY, "ensure_experience_continuity": False}]})
    return plain.evaluate(Subject(distinct_id=distinct_id), now=NOW)["sticky"].variant


def ids_with_different_variants() -> tuple[str, str]:
    for index in range(100):
        anon, user = f"anon-{index}", f"user-{index}"
        if variant_of(anon) != variant_of(user):
            return anon, user
    raise AssertionError


async def test_experience_continuity_keeps_the_anonymous_variant_after_identify() -> None:
    anon, user = ids_with_different_variants()
    store = MemoryHashKeyOverrideRepo()
    evaluate = await use_case(CONTINUITY, PLAIN, overrides=store)
    before = await evaluate.execute(cmd(distinct_id=anon))
    identify = await evaluate.execute(cmd(distinct_id=user, anon_distinct_id=anon))
    later = await evaluate.execute(cmd(distinct_id=user))
    assert before.flags["sticky"].variant == variant_of(anon)
    assert identify.flags["sticky"].variant == variant_of(anon)
    assert later.flags["sticky"].variant == variant_of(anon)
    assert await store.get(1, [user]) == {"sticky": anon}
    assert await store.get(1, [anon]) == {"sticky": anon}  # either id finds it
    assert not later.errors_while_computing_flags


async def test_a_second_identify_does_not_move_the_hash_key() -> None:
    store = MemoryHashKeyOverrideRepo()
    evaluate = await use_case(CONTINUITY, overrides=store)
    await evaluate.execute(cmd(distinct_id="user", anon_distinct_id="first-anon"))
    await evaluate.execute(cmd(distinct_id="user", anon_distinct_id="second-anon"))
    assert await store.get(1, ["user"]) == {"sticky": "first-anon"}


async def test_projects_without_continuity_flags_never_touch_the_store() -> None:
    result = await (await use_case(PLAIN, overrides=DownOverrides())).execute(cmd(anon_distinct_id="anon"))
    assert result.errors_while_computing_flags is False


async def test_store_down_fails_continuity_flags_only() -> None:
    evaluate = await use_case(CONTINUITY, PLAIN, overrides=DownOverrides())
    result = await evaluate.execute(cmd(anon_distinct_id="anon"))
    assert result.errors_while_computing_flags is True
    assert result.flags["plain"].enabled is True
    sticky = result.flags["sticky"]
    assert sticky.failed
    assert sticky.reason == HASH_KEY_OVERRIDE_ERROR
    assert sticky.description


async def test_an_engine_bug_fails_the_flags_instead_of_the_request(monkeypatch: pytest.MonkeyPatch) -> None:
    evaluate = await use_case(PLAIN)

    def explode(*_: object, **__: object) -> None:
        raise ZeroDivisionError

    monkeypatch.setattr(CompiledSnapshot, "evaluate", explode)
    result = await evaluate.execute(cmd())
    assert result.flags["plain"].failed
    assert result.errors_while_computing_flags is True


async def test_long_distinct_ids_are_truncated_to_200_characters() -> None:
    store = MemoryHashKeyOverrideRepo()
    evaluate = await use_case(CONTINUITY, overrides=store)
    await evaluate.execute(cmd(distinct_id="x" * 250, anon_distinct_id="anon"))
    assert await store.get(1, ["x" * 200]) == {"sticky": "anon"}


async def test_long_anonymous_ids_are_stored_truncated_but_hashed_whole() -> None:
    store = MemoryHashKeyOverrideRepo()
    evaluate = await use_case(CONTINUITY, overrides=store)
    anon = "a" * 5000
    await evaluate.execute(cmd(distinct_id="user", anon_distinct_id=anon))
    assert await store.get(1, ["a" * 200]) == {"sticky": anon}
    assert await store.get(1, ["user"]) == {"sticky": anon}
