"""The ``ProjectRepo`` contract, run against every adapter."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from flagcore.domain.errors import InvalidInputError
from flagcore.domain.identity import Project, ProjectSecretKey
from flagcore.ports.identity import ProjectRepo
from tests.contract.seed import ORG_ID, OTHER_ORG_ID

T0 = datetime(2026, 2, 1, 8, 30, 0, 654321, tzinfo=UTC)


async def _create(project_repo: ProjectRepo, token: str, org: str = ORG_ID, name: str = "Web") -> Project:
    return await project_repo.create(
        organization_id=org, name=name, api_token=token, timezone="Europe/Paris", created_at=T0
    )


def _secret(key_id: str, project_id: int, secure_value: str) -> ProjectSecretKey:
    return ProjectSecretKey(
        id=key_id, project_id=project_id, label="ci", secure_value=secure_value, mask_value="phs_...abcd", created_at=T0
    )


async def test_create_assigns_fresh_ids_and_get_returns_project(project_repo: ProjectRepo) -> None:
    web = await _create(project_repo, "phc_web")
    app = await _create(project_repo, "phc_app", name="App")
    assert web.id != app.id
    assert web == Project(
        id=web.id, organization_id=ORG_ID, name="Web", api_token="phc_web", timezone="Europe/Paris", created_at=T0
    )
    stored = await project_repo.get(web.id)
    assert stored == web
    assert stored.created_at.utcoffset() == timedelta(0)


async def test_get_unknown_is_none(project_repo: ProjectRepo) -> None:
    project = await _create(project_repo, "phc_web")
    assert await project_repo.get(project.id + 1000) is None


async def test_get_by_api_token(project_repo: ProjectRepo) -> None:
    web = await _create(project_repo, "phc_web")
    await _create(project_repo, "phc_app")
    assert await project_repo.get_by_api_token("phc_web") == web
    assert await project_repo.get_by_api_token("phc_WEB") is None
    assert await project_repo.get_by_api_token("phc_nope") is None


async def test_create_with_taken_api_token_raises(project_repo: ProjectRepo) -> None:
    await _create(project_repo, "phc_web")
    with pytest.raises(InvalidInputError) as caught:
        await _create(project_repo, "phc_web", org=OTHER_ORG_ID)
    assert caught.value.attr == "api_token"
    assert await project_repo.list_for_organization(OTHER_ORG_ID) == []


async def test_list_for_organization_is_oldest_first_and_scoped(project_repo: ProjectRepo) -> None:
    first = await _create(project_repo, "phc_1")
    await _create(project_repo, "phc_2", org=OTHER_ORG_ID)
    third = await _create(project_repo, "phc_3")
    assert await project_repo.list_for_organization(ORG_ID) == [first, third]


async def test_secret_key_resolves_its_project(project_repo: ProjectRepo) -> None:
    web = await _create(project_repo, "phc_web")
    app = await _create(project_repo, "phc_app")
    await project_repo.add_secret_key(_secret("k1", web.id, "sha256$web"))
    await project_repo.add_secret_key(_secret("k2", app.id, "sha256$app"))
    await project_repo.add_secret_key(_secret("k3", web.id, "sha256$web-2"))
    assert await project_repo.get_by_secret_key("sha256$web") == web
    assert await project_repo.get_by_secret_key("sha256$web-2") == web
    assert await project_repo.get_by_secret_key("sha256$app") == app
    assert await project_repo.get_by_secret_key("sha256$unknown") is None
