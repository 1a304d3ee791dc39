"""Deeply nested JSON, wherever the API decodes it, gets a 400 with PostHog's body and no traceback (issue 17).

Before the explicit depth cap each of these answered 500 with a ``RecursionError`` traceback in the log.
"""

from __future__ import annotations

import logging
from urllib.parse import quote

import pytest

from flagcore.domain.json_limits import MAX_JSON_DEPTH
from tests.integration.http.conftest import World
from tests.integration.http.test_flags_api import create, error


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def flag_body(key: str, payload: str) -> str:
    return '{"key": "' + key + '", "filters": {"groups": [{"properties": []}], "payloads": {"true": ' + payload + "}}}"


def assert_no_traceback(caplog: pytest.LogCaptureFixture) -> None:
    logged = [r for r in caplog.records if r.exc_info is not None or r.levelno >= logging.ERROR]
    assert logged == [], [r.getMessage() for r in logged]


async def test_create_with_a_payload_nested_1000_arrays_is_400(world: World, caplog: pytest.LogCaptureFixture) -> None:
    """Guards the flag create body: ``filters.payloads.true`` nesting 1,000 arrays used to answer 500."""
    body = flag_body("deep", nested(1000))
    headers = {**world.auth(), "Content-Type": "application/json"}
    response = await world.client.post(world.url(), content=body, headers=headers)
    assert error(response)[:3] == (400, "validation_error", "parse_error")
    assert f"{MAX_JSON_DEPTH} levels" in response.json()["detail"]
    assert_no_traceback(caplog)
    assert (await world.client.get(world.url(), headers=world.auth())).json()["count"] == 0


async def test_patch_with_created_by_nested_2000_deep_is_400(world: World, caplog: pytest.LogCaptureFixture) -> None:
    """Guards the PATCH body: an ignored read-only field (``created_by``) nested 2,000 deep used to answer 500."""
    flag = await create(world, "patched")
    body = '{"created_by": ' + nested(2000) + "}"
    headers = {**world.auth(), "Content-Type": "application/json"}
    response = await world.client.patch(world.url(f"{flag['id']}/"), content=body, headers=headers)
    assert error(response)[:3] == (400, "validation_error", "parse_error")
    assert_no_traceback(caplog)


async def test_a_payload_string_holding_deep_json_is_400(world: World, caplog: pytest.LogCaptureFixture) -> None:
    """Guards payloads sent as JSON text: the text itself is decoded to check it, and used to hit RecursionError."""
    filters = {"groups": [{"properties": []}], "payloads": {"true": nested(5000)}}
    response = await world.client.post(world.url(), json={"key": "deep-text", "filters": filters}, headers=world.auth())
    assert error(response) == (400, "validation_error", "invalid_input", "filters")
    assert_no_traceback(caplog)


@pytest.mark.parametrize(("action", "depth"), [("my_flags/", 5000), ("evaluation_reasons/?distinct_id=u&", 3000)])
async def test_groups_query_parameter_nested_deep_is_400(
    world: World, caplog: pytest.LogCaptureFixture, action: str, depth: int
) -> None:
    """Guards ``groups=`` of my_flags (5,000 brackets) and evaluation_reasons (3,000): both used to answer 500."""
    separator = "" if action.endswith("&") else "?"
    url = world.url(action) + separator + "groups=" + quote(nested(depth))
    response = await world.client.get(url, headers=world.auth())
    assert error(response) == (400, "validation_error", "invalid_input", "groups")
    assert_no_traceback(caplog)


@pytest.mark.parametrize("path", ["/flags?v=2", "/decide?v=3"])
async def test_flags_body_nested_deep_is_400(world: World, caplog: pytest.LogCaptureFixture, path: str) -> None:
    """Guards the /flags body decode: refused by the explicit cap, not by catching RecursionError."""
    person = '{"a": ' + nested(MAX_JSON_DEPTH + 1) + "}"
    body = '{"token": "' + world.project_api_key + '", "distinct_id": "u", "person_properties": ' + person + "}"
    response = await world.client.post(path, content=body, headers={"Content-Type": "application/json"})
    assert error(response)[:3] == (400, "invalid_request", "parse_error")
    assert "nested deeper" in response.json()["detail"]
    assert_no_traceback(caplog)


async def test_flags_get_query_nested_deep_names_the_field(world: World, caplog: pytest.LogCaptureFixture) -> None:
    """Guards the JSON query parameters of ``GET /flags``."""
    url = f"/flags?v=2&token={world.project_api_key}&distinct_id=u&groups=" + quote('{"a": ' + nested(3000) + "}")
    response = await world.client.get(url)
    assert error(response) == (400, "validation_error", "invalid_input", "groups")
    assert_no_traceback(caplog)


async def test_json_as_deep_as_the_cap_is_still_accepted(world: World) -> None:
    """The cap is a maximum, not an off-by-one: a payload exactly at the limit is stored."""
    # The body adds 3 levels around the payload (the body, filters and payloads objects).
    payload = nested(MAX_JSON_DEPTH - 3)
    body = flag_body("at-limit", payload)
    headers = {**world.auth(), "Content-Type": "application/json"}
    response = await world.client.post(world.url(), content=body, headers=headers)
    assert response.status_code == 201, response.text
