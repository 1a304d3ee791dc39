"""Applying seeds through the use cases, on memory storage: keys authenticate, rules are the API's, paths are named."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from dishka import AsyncContainer, make_async_container

from flagcore.app.ioc import get_providers
from flagcore.app.seeding.compose import apply_seed
from flagcore.app.seeding.load import SeedError, parse_seed
from flagcore.app.settings import Settings, load_settings
from flagcore.domain.identity import hash_secret
from flagcore.ports.clock import Clock
from flagcore.ports.cohorts import CohortQuery, CohortRepo
from flagcore.ports.flags import FlagQuery, FlagRepo
from flagcore.ports.groups import GroupTypeRepo
from flagcore.ports.identity import ApiKeyRepo, ProjectRepo
from flagcore.ports.persons import PersonRepo

KEY, TOKEN, SECRET = "phx_acmekey000001", "phc_acmetoken00001", "phs_acmesecret0001"
ROLLOUT = {"groups": [{"properties": [], "rollout_percentage": 100}]}


@pytest.fixture
async def container() -> AsyncIterator[AsyncContainer]:
    settings = load_settings({"FLAGCORE_DATABASE_URL": "memory://", "FLAGCORE_NOW": "2026-02-03T04:05:06Z"})
    container = make_async_container(*get_providers(settings), context={Settings: settings})
    yield container
    await container.close()


def _seed(**project: Any) -> dict[str, Any]:
    return {
        "organizations": [
            {
                "name": "Acme",
                "users": [
                    {"email": "a@acme.test", "level": "owner", "personal_api_keys": [{"value": "phx_acmekey000001"}]}
                ],
                "projects": [
                    {
                        "name": "Web",
                        "api_token": "phc_acmetoken00001",
                        "secret_api_keys": ["phs_acmesecret0001"],
                        **project,
                    }
                ],
            }
        ]
    }


async def test_fixed_keys_are_stored_as_their_hashes(container: AsyncContainer) -> None:
    world = await apply_seed(container, parse_seed(_seed()))
    projects = await container.get(ProjectRepo)
    project = await projects.get_by_api_token("phc_acmetoken00001")
    assert project is not None
    assert project.id == world.projects[0].id
    assert await projects.get_by_secret_key(hash_secret("phs_acmesecret0001")) == project
    key = await (await container.get(ApiKeyRepo)).get_by_secure_value(hash_secret("phx_acmekey000001"))
    assert key is not None
    assert key.scopes == ("*",)
    assert world.users[0].personal_api_keys == ["phx_acmekey000001"]


async def test_flags_cohorts_persons_and_group_types_are_created(container: AsyncContainer) -> None:
    cohort_filters = {
        "properties": {
            "type": "OR",
            "values": [
                {"type": "AND", "values": [{"key": "plan", "type": "person", "operator": "exact", "value": ["pro"]}]}
            ],
        }
    }
    seed = _seed(
        group_types=["company", "team"],
        persons=[{"distinct_ids": ["u1", "u1-alias"], "properties": {"plan": "pro"}}],
        cohorts=[
            {"id": 70, "name": "Pros", "filters": cohort_filters},
            {"name": "Static", "is_static": True, "members": ["u1"]},
        ],
        flags=[
            {"key": "base", "filters": ROLLOUT},
            {"key": "pros", "filters": {"groups": [{"properties": [{"key": "id", "type": "cohort", "value": 70}]}]}},
        ],
    )
    world = await apply_seed(container, parse_seed(seed))
    project_id = world.projects[0].id
    flags = (await (await container.get(FlagRepo)).list(project_id, FlagQuery(order="key"))).items
    assert [f.key for f in flags] == ["base", "pros"]
    assert flags[0].created_at == (await container.get(Clock)).now()  # FLAGCORE_NOW: the fixed clock
    cohorts = (await (await container.get(CohortRepo)).list(project_id, CohortQuery())).items
    pros = next(c for c in cohorts if c.name == "Pros")
    static = next(c for c in cohorts if c.name == "Static")
    assert flags[1].filters.groups[0].properties[0].value == pros.id  # the seed's id 70, rewritten
    assert static.count == 1
    person = await (await container.get(PersonRepo)).by_distinct_id(project_id, "u1-alias")
    assert person is not None
    assert person.properties == {"plan": "pro"}
    assert [g.group_type for g in await (await container.get(GroupTypeRepo)).list(project_id)] == ["company", "team"]


DEPENDENCY = {
    "key": "parent",
    "type": "flag",
    "value": True,
    "operator": "flag_evaluates_to",
    "dependency_chain": ["parent"],
}


async def test_a_definitions_feed_and_a_manifest_seed_flags(container: AsyncContainer) -> None:
    feed = {
        "flags": [
            {
                "id": 5,
                "team_id": 9,
                "key": "child",
                "filters": {
                    "groups": [
                        {
                            "properties": [
                                {
                                    "key": "parent",
                                    "type": "flag",
                                    "value": True,
                                    "operator": "flag_evaluates_to",
                                    "dependency_chain": ["parent"],
                                }
                            ]
                        }
                    ]
                },
            },
            {"id": 4, "team_id": 9, "key": "gone", "deleted": True, "filters": ROLLOUT},
        ],
        "group_type_mapping": {"0": "company"},
        "cohorts": {},
    }
    seed = _seed(
        flags=[{"key": "parent", "filters": ROLLOUT}],
        definitions=feed,
        openfeature={"flags": {"colour": {"flagType": "string", "defaultValue": "blue"}}},
    )
    world = await apply_seed(container, parse_seed(seed))
    repo = await container.get(FlagRepo)
    flags = {f.key: f for f in (await repo.list(world.projects[0].id, FlagQuery(order="key"))).items}
    assert sorted(flags) == ["child", "colour", "parent"]
    assert flags["child"].filters.groups[0].properties[0].key == str(flags["parent"].id)


@pytest.mark.parametrize(
    ("project", "path", "reason"),
    [
        ({"flags": [{"key": "ok"}, {"key": "bad key!"}]}, "$.organizations[0].projects[0].flags[1].key", "letters"),
        ({"flags": [{"key": "a"}, {"key": "a"}]}, "$.organizations[0].projects[0].flags[1]", "already"),
        ({"timezone": "Mars/Olympus"}, "$.organizations[0].projects[0].timezone", "not a valid choice"),
        ({"group_types": ["a", "b", "c", "d", "e", "f"]}, "$.organizations[0].projects[0].group_types[5]", ""),
        (
            {"cohorts": [{"name": "S", "is_static": True, "members": ["nobody"]}]},
            "$.organizations[0].projects[0].cohorts[0].members",
            "nobody",
        ),
        (
            {"flags": [{"key": "f", "filters": {"groups": [{"rollout_percentage": 140}]}}]},
            "$.organizations[0].projects[0].flags[0].filters",
            "",
        ),
    ],
)
async def test_rules_broken_by_a_seed_name_their_path(
    container: AsyncContainer, project: dict[str, Any], path: str, reason: str
) -> None:
    with pytest.raises(SeedError) as error:
        await apply_seed(container, parse_seed(_seed(**project)), file="s.json")
    assert error.value.path.startswith(path)
    assert reason in error.value.reason


async def test_scopes_are_checked(container: AsyncContainer) -> None:
    seed = _seed()
    seed["organizations"][0]["users"][0]["personal_api_keys"][0]["scopes"] = ["feature_flag:fly"]
    with pytest.raises(SeedError) as error:
        await apply_seed(container, parse_seed(seed))
    assert error.value.path == "$.organizations[0].users[0].personal_api_keys[0].scopes"
