"""No request may make ``/flags`` or ``/decide`` answer 500: random fields, random bytes, random query strings."""

from __future__ import annotations

import gzip
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.integration.http.conftest import World
from tests.integration.http.test_flags_api import MULTIVARIATE_FILTERS, create
from tests.integration.http.test_fuzz import assert_client_error_or_success, json_values

FIELDS = [
    "$anon_distinct_id",
    "device_id",
    "$device_id",
    "person_properties",
    "$properties",
    "groups",
    "group_properties",
    "flag_keys",
    "flag_keys_to_evaluate",
    "evaluation_runtime",
    "evaluation_contexts",
    "disable_flags",
    "timezone",
]
bodies = st.fixed_dictionaries(
    {"distinct_id": st.text(max_size=30) | st.integers() | json_values},
    optional={**dict.fromkeys(FIELDS, json_values), "token": json_values},
)
queries = st.dictionaries(
    st.sampled_from(["v", "config", "compression", "token", "distinct_id", "groups", "flag_keys"]), st.text(max_size=8)
)
FUZZ = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture
async def flagged(world: World) -> World:
    await create(world, "mv", filters=MULTIVARIATE_FILTERS, ensure_experience_continuity=True)
    prop = {"key": "n", "type": "person", "operator": "gt", "value": "5"}
    await create(world, "numeric", filters={"groups": [{"properties": [prop], "rollout_percentage": 50}]})
    return world


@pytest.mark.slow
@FUZZ
@given(body=bodies, params=queries, path=st.sampled_from(["/flags", "/decide/"]))
async def test_random_fields_never_500(flagged: World, body: dict[str, Any], params: dict[str, str], path: str) -> None:
    payload = {"api_key": flagged.project_api_key, **body}
    response = await flagged.client.post(path, json=payload, params=params)
    assert_client_error_or_success(response)


@pytest.mark.slow
@FUZZ
@given(
    content=st.binary(max_size=200) | st.binary(max_size=200).map(gzip.compress),
    content_type=st.sampled_from(["application/json", "text/plain", "application/x-www-form-urlencoded", "x/y", ""]),
    params=queries,
)
async def test_random_bytes_never_500(
    flagged: World, content: bytes, content_type: str, params: dict[str, str]
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    response = await flagged.client.post("/flags", content=content, headers=headers, params=params)
    assert_client_error_or_success(response)


@pytest.mark.slow
@FUZZ
@given(params=queries)
async def test_random_get_queries_never_500(flagged: World, params: dict[str, str]) -> None:
    response = await flagged.client.get("/flags", params={"token": flagged.project_api_key, **params})
    assert_client_error_or_success(response)
