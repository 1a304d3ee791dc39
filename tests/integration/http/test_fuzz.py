"""No input may produce a 500: random JSON bodies and query strings against every write and read route."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.integration.http.conftest import World

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)
FIELDS = ["key", "name", "filters", "active", "deleted", "version", "tags", "evaluation_tags", "evaluation_runtime"]
FILTER_KEYS = ["groups", "multivariate", "payloads", "aggregation_group_type_index", "holdout", "early_exit"]
filters = st.fixed_dictionaries({}, optional=dict.fromkeys(FILTER_KEYS, json_values))
bodies = st.fixed_dictionaries(
    {}, optional={**dict.fromkeys(FIELDS, json_values), "filters": filters | json_values, "key": st.text(max_size=12)}
)
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def assert_client_error_or_success(response: Any) -> None:
    assert response.status_code < 500, response.text
    if response.status_code >= 400 and response.content:
        assert set(response.json()) == {"type", "code", "detail", "attr"}


@pytest.mark.slow
@FUZZ
@given(body=bodies)
async def test_random_create_bodies_never_500(world: World, body: dict[str, Any]) -> None:
    response = await world.client.post(world.url(), json=body, headers=world.auth())
    assert_client_error_or_success(response)


@pytest.mark.slow
@FUZZ
@given(body=bodies, method=st.sampled_from(["patch", "put"]))
async def test_random_update_bodies_never_500(world: World, body: dict[str, Any], method: str) -> None:
    created = await world.client.post(world.url(), json={"key": "target"}, headers=world.auth())
    flag_id = created.json()["id"] if created.status_code == 201 else 1
    response = await getattr(world.client, method)(world.url(f"{flag_id}/"), json=body, headers=world.auth())
    assert_client_error_or_success(response)


@pytest.mark.slow
@FUZZ
@given(
    params=st.dictionaries(
        st.sampled_from(
            ["limit", "offset", "active", "search", "type", "order", "evaluation_runtime", "created_by_id"]
        ),
        st.text(max_size=8),
    )
)
async def test_random_list_queries_never_500(world: World, params: dict[str, str]) -> None:
    response = await world.client.get(world.url(), params=params, headers=world.auth())
    assert_client_error_or_success(response)
