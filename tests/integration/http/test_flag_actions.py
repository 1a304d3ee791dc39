"""``feature_flags/my_flags/`` and ``feature_flags/evaluation_reasons/``: shapes, errors, access, evaluator failures."""

from __future__ import annotations

import hashlib
import socket
from collections.abc import AsyncIterator, Mapping
from datetime import UTC, datetime
from typing import Any

import pytest
from dishka import Provider, Scope

from flagcore.adapters.memory import (
    MemoryApiKeyRepo,
    MemoryFlagRepo,
    MemoryOrganizationRepo,
    MemoryProjectRepo,
    MemoryUserRepo,
)
from flagcore.app.evaluation.my_flags import MyFlags, MyFlagsCommand
from flagcore.app.settings import Settings
from flagcore.domain.errors import InvalidInputError
from flagcore.domain.identity import Project
from flagcore.ports.errors import BackendUnavailableError
from flagcore.ports.flag_evaluator import (
    EvaluatedFlag,
    EvaluatorTimeoutError,
    EvaluatorUnavailableError,
    FlagEvaluator,
)
from tests.integration.http.conftest import World, _instances, _serve
from tests.integration.http.test_flags_api import create, error

ALWAYS: dict[str, Any] = {"groups": [{"properties": [], "rollout_percentage": 100}]}
NEVER: dict[str, Any] = {"groups": [{"properties": [], "rollout_percentage": 0}]}
HALF: dict[str, Any] = {"groups": [{"properties": [], "rollout_percentage": 50}]}
PINNED_VARIANT: dict[str, Any] = {
    "groups": [{"properties": [], "rollout_percentage": 100, "variant": "test"}],
    "multivariate": {
        "variants": [{"key": "control", "rollout_percentage": 50}, {"key": "test", "rollout_percentage": 50}]
    },
}
SECOND_CONDITION: dict[str, Any] = {
    "groups": [
        {"properties": [{"key": "email", "type": "person", "value": "a@b.c", "operator": "exact"}]},
        {"properties": [], "rollout_percentage": 100},
    ]
}
EPOCH = datetime(2024, 1, 1, tzinfo=UTC)
NO_MATCH: dict[str, Any] = {
    "groups": [{"properties": [{"key": "plan", "type": "person", "value": "pro", "operator": "exact"}]}]
}


def hash01(flag_key: str, identifier: str) -> float:
    # The bucketing formula of the evaluation spec (section 2.1), written out independently of the engine.
    digest = hashlib.sha1(f"{flag_key}.{identifier}".encode()).hexdigest()  # noqa: S324 - bucketing, not security
    return int(digest[:15], 16) / float(0xFFFFFFFFFFFFFFF)


def my_flags_url(world: World, project: int | str | None = None) -> str:
    return world.url("my_flags/", project)


def reasons_url(world: World, project: int | str | None = None) -> str:
    return world.url("evaluation_reasons/", project)


async def seed(world: World) -> dict[str, dict[str, Any]]:
    """A project with one flag per outcome, created oldest to newest in this order."""
    flags = {
        "always": await create(world, "always", filters=ALWAYS),
        "never": await create(world, "never", filters=NEVER),
        "pinned": await create(world, "pinned", filters=PINNED_VARIANT),
        "second": await create(world, "second", filters=SECOND_CONDITION),
        "nomatch": await create(world, "nomatch", filters=NO_MATCH),
        "off": await create(world, "off", filters=ALWAYS, active=False),
        "gone": await create(world, "gone", filters=ALWAYS),
    }
    gone = await world.client.patch(world.url(f"{flags['gone']['id']}/"), json={"deleted": True}, headers=world.auth())
    assert gone.status_code == 200, gone.text
    return flags


# --- my_flags ------------------------------------------------------------------------------------------------------


async def test_my_flags_lists_every_live_flag_newest_first_with_the_users_value(world: World) -> None:
    flags = await seed(world)
    response = await world.client.get(my_flags_url(world), headers=world.auth())
    assert response.status_code == 200, response.text
    body = response.json()
    assert [entry["feature_flag"]["key"] for entry in body] == ["off", "nomatch", "second", "pinned", "never", "always"]
    values = {entry["feature_flag"]["key"]: entry["value"] for entry in body}
    assert values == {
        "always": True,
        "never": False,
        "pinned": "test",
        "second": True,
        "nomatch": False,
        "off": False,  # inactive: not evaluated, so false
    }
    assert set(body[0]) == {"feature_flag", "value"}
    minimal = body[-1]["feature_flag"]
    assert minimal["id"] == flags["always"]["id"]
    assert minimal["team_id"] == world.project_id
    assert minimal["filters"]["groups"][0]["rollout_percentage"] == 100
    assert {"name", "deleted", "active", "version", "ensure_experience_continuity", "evaluation_runtime"} <= set(
        minimal
    )


@pytest.mark.world_settings(encryption_keys="JDsoxbe0JTPfgkUkbnwbHEjWRMeN1tqWNfVsh8JQ3b4=")
async def test_my_flags_lists_encrypted_remote_config_flags_too(world: World) -> None:
    # The definitions feed leaves them out (SDKs fetch them decrypted elsewhere); this listing must not.
    secret = await create(
        world, "secret-config", filters=ALWAYS, is_remote_configuration=True, has_encrypted_payloads=True
    )
    response = await world.client.get(my_flags_url(world), headers=world.auth())
    assert response.status_code == 200, response.text
    (entry,) = response.json()
    assert entry["feature_flag"]["id"] == secret["id"]
    assert entry["feature_flag"]["has_encrypted_payloads"] is True
    assert set(entry["feature_flag"]["filters"].get("payloads", {}).values()) <= {'"********* (encrypted)"'}


async def test_my_flags_is_an_empty_list_for_a_project_without_flags(world: World) -> None:
    response = await world.client.get(my_flags_url(world), headers=world.auth())
    assert (response.status_code, response.json()) == (200, [])


async def test_my_flags_answers_without_trailing_slash_and_for_current_project(world: World) -> None:
    await create(world, "always", filters=ALWAYS)
    for url in (world.url("my_flags"), my_flags_url(world, "@current")):
        response = await world.client.get(url, headers=world.auth())
        assert response.status_code == 200, (url, response.text)
        assert [entry["value"] for entry in response.json()] == [True]


async def test_my_flags_accepts_a_groups_object(world: World) -> None:
    await create(world, "always", filters=ALWAYS)
    params = {"groups": '{"organization": "acme", "instance": 42}'}
    response = await world.client.get(my_flags_url(world), params=params, headers=world.auth())
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("groups", "detail"),
    [
        ("{not json", "Invalid JSON in groups parameter"),
        ('["organization"]', "groups must be a JSON object"),
        ('"acme"', "groups must be a JSON object"),
        ('{"organization": {"id": 1}}', "groups.organization must be a string or a number"),
        ('{"organization": true}', "groups.organization must be a string or a number"),
    ],
)
@pytest.mark.parametrize("action", ["my_flags/", "evaluation_reasons/"])
async def test_a_bad_groups_parameter_is_a_400(world: World, action: str, groups: str, detail: str) -> None:
    params = {"groups": groups, "distinct_id": "someone"}
    response = await world.client.get(world.url(action), params=params, headers=world.auth())
    assert error(response) == (400, "validation_error", "invalid_input", "groups")
    assert response.json()["detail"] == detail


async def test_my_flags_needs_the_users_distinct_id() -> None:
    # Bootstrap gives every user a distinct id, so this rule is checked on the use case directly.
    class NeverCalled(FlagEvaluator):
        async def evaluate(
            self, project: Project, *, distinct_id: str, groups: Mapping[str, str]
        ) -> dict[str, EvaluatedFlag]:
            raise AssertionError((project, distinct_id, groups))

    project = Project(id=1, organization_id="o", name="p", api_token="phc_x", created_at=EPOCH)
    with pytest.raises(InvalidInputError, match="User distinct_id is required"):
        await MyFlags(MemoryFlagRepo(), NeverCalled()).execute(MyFlagsCommand(project=project, distinct_id=""))


# --- evaluation_reasons --------------------------------------------------------------------------------------------


async def test_evaluation_reasons_explains_each_flag(world: World) -> None:
    await seed(world)
    response = await world.client.get(reasons_url(world), params={"distinct_id": "user-1"}, headers=world.auth())
    assert response.status_code == 200, response.text
    assert response.json() == {
        "always": {"value": True, "evaluation": {"reason": "condition_match", "condition_index": 0}},
        "never": {"value": False, "evaluation": {"reason": "out_of_rollout_bound", "condition_index": 0}},
        "pinned": {"value": "test", "evaluation": {"reason": "condition_match", "condition_index": 0}},
        "second": {"value": True, "evaluation": {"reason": "condition_match", "condition_index": 1}},
        "nomatch": {"value": False, "evaluation": {"reason": "no_condition_match", "condition_index": 0}},
        "off": {"value": False, "evaluation": {"reason": "disabled", "condition_index": None}},
    }


@pytest.mark.parametrize("distinct_id", ["distinct_id_0", "distinct_id_1", "user-42", "ünïcode"])
async def test_evaluation_reasons_buckets_the_given_distinct_id(world: World, distinct_id: str) -> None:
    await create(world, "half", filters=HALF)
    response = await world.client.get(reasons_url(world), params={"distinct_id": distinct_id}, headers=world.auth())
    inside = hash01("half", distinct_id) <= 0.5
    expected = {"reason": "condition_match" if inside else "out_of_rollout_bound", "condition_index": 0}
    assert response.json() == {"half": {"value": inside, "evaluation": expected}}


@pytest.mark.parametrize("params", [{}, {"distinct_id": ""}, {"groups": "{}"}])
async def test_evaluation_reasons_requires_a_distinct_id(world: World, params: dict[str, str]) -> None:
    response = await world.client.get(reasons_url(world), params=params, headers=world.auth())
    assert error(response) == (400, "validation_error", "required", "distinct_id")


# --- access --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["my_flags/", "evaluation_reasons/?distinct_id=a"])
async def test_a_read_scoped_key_may_call_the_actions(world: World, action: str) -> None:
    response = await world.client.get(world.url(action), headers=world.auth(world.read_key))
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("action", ["my_flags/", "evaluation_reasons/?distinct_id=a"])
async def test_access_rules_are_those_of_the_flag_api(world: World, action: str) -> None:
    anonymous = await world.client.get(world.url(action))
    assert error(anonymous)[:2] == (401, "authentication_error")
    secret = await world.client.get(world.url(action), headers=world.auth(world.secret_key))
    assert error(secret)[:2] == (403, "authentication_error")
    stranger = await world.client.get(world.url(action), headers=world.auth(world.other_key))
    assert error(stranger)[:2] == (404, "invalid_request")  # another organization's project is not disclosed
    missing = await world.client.get(world.url(action, project=999_999), headers=world.auth())
    assert error(missing)[:2] == (404, "invalid_request")


async def test_the_actions_do_not_shadow_flag_routes(world: World) -> None:
    flag = await create(world, "always", filters=ALWAYS)
    retrieved = await world.client.get(world.url(f"{flag['id']}/"), headers=world.auth())
    assert (retrieved.status_code, retrieved.json()["key"]) == (200, "always")
    listed = await world.client.get(world.url(), headers=world.auth())
    assert listed.json()["count"] == 1
    wrong_method = await world.client.post(my_flags_url(world), headers=world.auth())
    assert error(wrong_method)[:2] == (405, "invalid_request")


# --- evaluator failures: a clear 502/504, never a 500 --------------------------------------------------------------


class FailingEvaluator(FlagEvaluator):
    def __init__(self, error: BackendUnavailableError) -> None:
        self._error = error

    async def evaluate(
        self, project: Project, *, distinct_id: str, groups: Mapping[str, str]
    ) -> dict[str, EvaluatedFlag]:
        del project, distinct_id, groups
        raise self._error


def _evaluator_provider(evaluator: FlagEvaluator) -> Provider:
    provider = Provider(scope=Scope.APP)
    provider.provide(lambda: evaluator, provides=FlagEvaluator)
    return provider


def _memory_repos() -> dict[str, Any]:
    return {
        "flags": MemoryFlagRepo(),
        "organizations": MemoryOrganizationRepo(),
        "projects": MemoryProjectRepo(),
        "users": MemoryUserRepo(),
        "keys": MemoryApiKeyRepo(),
    }


@pytest.fixture(
    params=[
        pytest.param((EvaluatorUnavailableError(), 502, "bad_gateway"), id="unavailable"),
        pytest.param((EvaluatorTimeoutError(), 504, "gateway_timeout"), id="timeout"),
    ]
)
async def broken(request: pytest.FixtureRequest) -> AsyncIterator[tuple[World, int, str]]:
    failure, status, code = request.param
    repos = _memory_repos()
    overrides = [_instances(**repos), _evaluator_provider(FailingEvaluator(failure))]
    async with _serve(repos, overrides, Settings(database_url="memory://")) as world:
        yield world, status, code


@pytest.mark.parametrize("action", ["my_flags/", "evaluation_reasons/?distinct_id=a"])
async def test_a_failing_evaluator_gives_a_gateway_error(broken: tuple[World, int, str], action: str) -> None:
    world, status, code = broken
    await create(world, "always", filters=ALWAYS)
    response = await world.client.get(world.url(action), headers=world.auth())
    assert error(response) == (status, "server_error", code, None)
    assert response.json()["detail"]


async def test_the_http_evaluator_setting_reaches_the_configured_service() -> None:
    # Nothing listens on this port: the real HttpFlagEvaluator, wired from settings, must answer 502 (not 500).
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings = Settings(database_url="memory://", evaluator="http", evaluator_url=f"http://127.0.0.1:{port}")
    repos = _memory_repos()
    async with _serve(repos, [_instances(**repos)], settings) as world:
        response = await world.client.get(my_flags_url(world), headers=world.auth())
        assert error(response) == (502, "server_error", "bad_gateway", None)
        reasons = await world.client.get(reasons_url(world), params={"distinct_id": "a"}, headers=world.auth())
        assert error(reasons) == (502, "server_error", "bad_gateway", None)
