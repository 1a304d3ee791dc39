"""``/flags`` and ``/decide`` end to end: flags created through the API, answered in every response version."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from posthog.types import normalize_flags_response, to_flags_and_payloads

from tests.integration.http.conftest import World
from tests.integration.http.test_flags_api import MULTIVARIATE_FILTERS, create

ON_WITH_PAYLOAD: dict[str, Any] = {
    "groups": [{"properties": [], "rollout_percentage": 100}],
    "payloads": {"true": {"cta": "go"}},
}
PRO_ONLY: dict[str, Any] = {
    "groups": [{"properties": [{"key": "plan", "type": "person", "value": "pro"}], "rollout_percentage": 100}]
}


async def post(world: World, path: str = "/flags", body: dict[str, Any] | None = None, **params: str) -> Any:
    payload = {"api_key": world.project_api_key, "distinct_id": "user-1", **(body or {})}
    return await world.client.post(path, json=payload, params=params)


@pytest.fixture
async def flags(world: World) -> World:
    await create(world, "beta", filters=ON_WITH_PAYLOAD)
    await create(world, "layout", filters=MULTIVARIATE_FILTERS)
    await create(world, "pro", filters=PRO_ONLY)
    await create(world, "retired", filters=ON_WITH_PAYLOAD, active=False)
    return world


async def test_flags_without_version_is_the_legacy_map(flags: World) -> None:
    response = await post(flags)
    assert response.status_code == 200
    body = response.json()
    assert body["featureFlags"] == {"beta": True, "layout": body["featureFlags"]["layout"], "pro": False}
    assert body["featureFlags"]["layout"] in {"control", "test"}
    assert body["featureFlagPayloads"]["beta"] == '{"cta":"go"}'
    assert "pro" not in body["featureFlagPayloads"]
    assert body["errorsWhileComputingFlags"] is False
    assert uuid.UUID(body["requestId"]).version == 4
    assert isinstance(body["evaluatedAt"], int)
    assert "supportedCompression" not in body


@pytest.mark.parametrize("version", ["2", "3"])
async def test_flags_v2_and_v3_are_detailed_records(flags: World, version: str) -> None:
    body = (await post(flags, v=version)).json()
    assert set(body["flags"]) == {"beta", "layout", "pro"}  # the inactive flag is omitted
    beta = body["flags"]["beta"]
    assert beta["enabled"] is True
    assert beta["variant"] is None
    assert beta["reason"] == {"code": "condition_match", "condition_index": 0, "description": "Matched condition set 1"}
    assert beta["metadata"]["payload"] == '{"cta":"go"}'
    assert beta["metadata"]["version"] == 1
    assert isinstance(beta["metadata"]["id"], int)
    assert "failed" not in beta
    pro = body["flags"]["pro"]
    assert (pro["enabled"], pro["reason"]["code"], pro["metadata"]["payload"]) == (False, "no_condition_match", None)


async def test_flags_v4_typed_records_as_posthog_python_reads_them(flags: World) -> None:
    body = (await post(flags, "/flags/", {"person_properties": {"plan": "pro"}}, v="4")).json()
    layout = body["flags"]["layout"]
    assert layout["value"] in {"control", "test"}
    assert layout["metadata"]["config_version"] == 1
    parsed = to_flags_and_payloads(normalize_flags_response(body))
    assert parsed["featureFlags"] == {"beta": True, "layout": layout["value"], "pro": True}
    assert (parsed["featureFlagPayloads"] or {})["beta"] == '{"cta":"go"}'


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        (None, ["beta", "layout"]),
        ("1", ["beta", "layout"]),
        ("2", {"beta": True, "layout": "*"}),
    ],
)
async def test_decide_v1_and_v2_list_enabled_flags(flags: World, version: str | None, expected: Any) -> None:
    params = {"v": version} if version else {}
    body = (await post(flags, "/decide/", None, **params)).json()
    feature_flags = body["featureFlags"]
    if isinstance(expected, dict):
        assert set(feature_flags) == set(expected)
        assert feature_flags["beta"] is True
    else:
        assert sorted(feature_flags) == expected
    assert "errorsWhileComputingFlags" not in body
    assert body["supportedCompression"] == ["gzip", "gzip-js"]  # /decide includes the config by default


async def test_decide_v3_is_the_legacy_map_and_v4_detailed(flags: World) -> None:
    legacy = (await post(flags, "/decide", v="3")).json()
    assert legacy["featureFlags"]["pro"] is False
    detailed = (await post(flags, "/decide", v="4", config="false")).json()
    assert detailed["flags"]["beta"]["enabled"] is True
    assert "supportedCompression" not in detailed


async def test_config_true_adds_the_client_configuration(flags: World) -> None:
    body = (await post(flags, v="2", config="true")).json()
    assert body["hasFeatureFlags"] is True
    assert body["sessionRecording"] is False
    assert body["config"] == {"enable_collect_everything": True}


async def test_trailing_slash_is_optional(flags: World) -> None:
    for path in ("/flags", "/flags/", "/decide", "/decide/"):
        assert (await post(flags, path, v="2")).status_code == 200


async def test_caller_request_id_is_kept_when_it_is_a_uuid(flags: World) -> None:
    mine = str(uuid.uuid4())
    body = {"api_key": flags.project_api_key, "distinct_id": "u"}
    kept = await flags.client.post("/flags?v=2", json=body, headers={"X-Request-Id": mine})
    replaced = await flags.client.post("/flags?v=2", json=body, headers={"X-Request-Id": "not-a-uuid"})
    assert kept.json()["requestId"] == mine
    assert uuid.UUID(replaced.json()["requestId"]).version == 4


async def test_get_without_token_is_the_empty_client_probe(flags: World) -> None:
    body = (await flags.client.get("/flags", params={"v": "2"})).json()
    assert body["flags"] == {}
    assert body["supportedCompression"] == ["gzip", "gzip-js"]


async def test_get_with_token_evaluates_the_query(flags: World) -> None:
    params = {"v": "2", "token": flags.project_api_key, "distinct_id": "u", "person_properties": '{"plan":"pro"}'}
    body = (await flags.client.get("/flags/", params=params)).json()
    assert body["flags"]["pro"]["enabled"] is True


async def test_projects_only_see_their_own_flags(flags: World) -> None:
    other = await flags.client.post(
        "/api/projects/@current/feature_flags/", json={"key": "theirs"}, headers=flags.auth(flags.other_key)
    )
    assert other.status_code == 201
    body = (await post(flags, v="2")).json()
    assert "theirs" not in body["flags"]


async def test_flags_behind_a_decide_proxy_answers_as_decide(flags: World) -> None:
    body = {"api_key": flags.project_api_key, "distinct_id": "u"}
    response = await flags.client.post("/flags", json=body, headers={"X-Original-Endpoint": "decide"})
    assert sorted(response.json()["featureFlags"]) == ["beta", "layout"]


async def test_openapi_lists_both_methods_of_both_routes(world: World) -> None:
    paths = (await world.client.get("/schema/openapi.json")).json()["paths"]
    assert paths["/flags"]["get"]["operationId"] == "flags_get"
    assert paths["/flags"]["post"]["operationId"] == "flags_post"
    assert set(paths["/decide"]) >= {"get", "post"}
