from __future__ import annotations

from typing import Any

import pytest

from tests.integration.http.conftest import World
from tests.integration.http.test_flags_api import create, depends_on, error

FEED = "/flags/definitions"


async def feed(world: World, key: str | None = None, **params: Any) -> Any:
    query = {"token": world.project_api_key, "send_cohorts": "", **params}
    return await world.client.get(FEED, params=query, headers=world.auth(key or world.secret_key))


async def test_feed_serves_live_flags_sorted_by_key_with_weak_etag(world: World) -> None:
    await create(world, "zeta")
    await create(world, "alpha", active=False)
    gone = await create(world, "gone")
    await world.client.patch(world.url(f"{gone['id']}/"), json={"deleted": True}, headers=world.auth())
    response = await feed(world)
    assert response.status_code == 200
    body = response.json()
    assert [f["key"] for f in body["flags"]] == ["alpha", "zeta"]  # inactive included, deleted excluded
    assert body["group_type_mapping"] == {}
    assert body["cohorts"] == {}
    flag = body["flags"][1]
    assert set(flag) >= {
        "id",
        "team_id",
        "name",
        "key",
        "filters",
        "deleted",
        "active",
        "version",
        "ensure_experience_continuity",
        "has_encrypted_payloads",
        "evaluation_runtime",
        "bucketing_identifier",
        "evaluation_tags",
    }
    assert flag["team_id"] == world.project_id
    assert response.headers["etag"].startswith('W/"')
    assert response.headers["cache-control"] == "private, must-revalidate"


async def test_if_none_match_gives_304_until_the_content_changes(world: World) -> None:
    flag = await create(world, "tracked")
    first = await feed(world)
    etag = first.headers["etag"]
    unchanged = await world.client.get(
        FEED,
        params={"token": world.project_api_key, "send_cohorts": ""},
        headers={**world.auth(world.secret_key), "If-None-Match": etag},
    )
    assert unchanged.status_code == 304
    assert unchanged.content == b""
    assert unchanged.headers["etag"] == etag
    assert (await feed(world)).headers["etag"] == etag  # stable while nothing changes
    await world.client.patch(world.url(f"{flag['id']}/"), json={"name": "renamed"}, headers=world.auth())
    changed = await world.client.get(
        FEED,
        params={"token": world.project_api_key, "send_cohorts": ""},
        headers={**world.auth(world.secret_key), "If-None-Match": etag},
    )
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag


async def test_if_none_match_star_gives_304(world: World) -> None:
    """``*`` matches any current representation (RFC 9110): a cache holding anything need not download it again."""
    await create(world, "tracked")
    etag = (await feed(world)).headers["etag"]
    for header in ("*", '"other", *'):
        answer = await world.client.get(
            FEED,
            params={"token": world.project_api_key, "send_cohorts": ""},
            headers={**world.auth(world.secret_key), "If-None-Match": header},
        )
        assert (answer.status_code, answer.content, answer.headers["etag"]) == (304, b"", etag)


async def test_dependencies_are_served_by_key_with_their_chain(world: World) -> None:
    base = await create(world, "base")
    middle = await create(world, "middle", filters=depends_on(base["id"]))
    await create(world, "top", filters=depends_on(middle["id"]))
    flags = {f["key"]: f for f in (await feed(world)).json()["flags"]}
    prop = flags["top"]["filters"]["groups"][0]["properties"][0]
    assert prop["key"] == "middle"
    assert prop["dependency_chain"] == ["base", "middle"]


@pytest.mark.world_settings(encryption_keys="JDsoxbe0JTPfgkUkbnwbHEjWRMeN1tqWNfVsh8JQ3b4=")
async def test_encrypted_remote_config_flags_are_excluded(world: World) -> None:
    await create(
        world,
        "secret-config",
        is_remote_configuration=True,
        has_encrypted_payloads=True,
        filters={"groups": [{}], "payloads": {"true": '"x"'}},
    )
    await create(world, "plain-config", is_remote_configuration=True, filters={"groups": [{}]})
    keys = [f["key"] for f in (await feed(world)).json()["flags"]]
    assert keys == ["plain-config"]


@pytest.mark.parametrize(
    "path", ["/api/feature_flag/local_evaluation", "/api/projects/@current/feature_flags/local_evaluation/"]
)
async def test_legacy_routes_serve_the_same_document(world: World, path: str) -> None:
    await create(world, "same")
    modern = await feed(world, world.admin_key)
    legacy = await world.client.get(path, params={"send_cohorts": ""}, headers=world.auth())
    assert legacy.status_code == 200, legacy.text
    assert legacy.json() == modern.json()
    assert legacy.headers["etag"] == modern.headers["etag"]


async def test_personal_key_with_read_scope_may_read(world: World) -> None:
    assert (await feed(world, world.read_key)).status_code == 200


async def test_feed_refuses_bad_credentials(world: World) -> None:
    no_auth = await world.client.get(FEED, params={"token": world.project_api_key})
    assert error(no_auth)[0] == 401
    bad_token = await world.client.get(FEED, params={"token": "phc_unknown"}, headers=world.auth(world.secret_key))
    assert error(bad_token)[0] == 401
    bad_secret = await feed(world, "phs_notarealkey")
    assert error(bad_secret)[0] == 401
    other = await world.client.get(FEED, params={"token": world.project_api_key}, headers=world.auth(world.other_key))
    assert error(other)[0] == 404  # a member of another organization: the project is not theirs to see


async def test_secret_key_of_another_project_is_refused(world: World) -> None:
    other_token = (
        await world.client.get(world.url(project=world.other_project_id), headers=world.auth(world.other_key))
    ).status_code
    assert other_token == 200
    # our secret key, asking for the other project's feed through the URL route
    response = await world.client.get(
        f"/api/projects/{world.other_project_id}/feature_flags/local_evaluation",
        headers=world.auth(world.secret_key),
    )
    assert error(response) == (404, "invalid_request", "not_found", None)  # as an unknown one: not disclosed
    unknown = await world.client.get(
        "/api/projects/9999/feature_flags/local_evaluation", headers=world.auth(world.secret_key)
    )
    assert error(unknown)[0] == 404


async def test_cohort_switch_changes_the_etag_but_not_the_flags(world: World) -> None:
    await create(world, "c")
    with_cohorts = await feed(world)
    without = await world.client.get(
        FEED, params={"token": world.project_api_key}, headers=world.auth(world.secret_key)
    )
    assert with_cohorts.json()["flags"] == without.json()["flags"]
    assert with_cohorts.headers["etag"] != without.headers["etag"]


async def test_gzip_is_sent_only_to_clients_that_accept_it_compressed_once_per_snapshot(world: World) -> None:
    import gzip  # noqa: PLC0415

    await create(world, "packed")
    query = {"token": world.project_api_key}
    auth = world.auth(world.secret_key)
    plain = await world.client.get(FEED, params=query, headers={**auth, "Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert plain.headers["vary"] == "Accept-Encoding"
    for accept in ("gzip, deflate", "br;q=1.0, gzip;q=0.5", "*"):
        packed = await world.client.get(FEED, params=query, headers={**auth, "Accept-Encoding": accept})
        assert packed.headers["content-encoding"] == "gzip"
        assert packed.headers["etag"] == plain.headers["etag"]
        assert packed.content == plain.content  # httpx inflated it: the same document
    refused = await world.client.get(FEED, params=query, headers={**auth, "Accept-Encoding": "gzip;q=0"})
    assert "content-encoding" not in refused.headers
    # The bytes sent are the ones kept for this ETag (one compression per snapshot), and inflate to the document.
    async with world.client.stream("GET", FEED, params=query, headers={**auth, "Accept-Encoding": "gzip"}) as raw:
        wire = b"".join([chunk async for chunk in raw.aiter_raw()])
    assert gzip.decompress(wire) == plain.content
    assert int(raw.headers["content-length"]) == len(wire) < len(plain.content)
