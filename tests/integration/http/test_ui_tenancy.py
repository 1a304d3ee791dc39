"""The admin UI never shows another organization's project: every page of it is "not found", with none of its data."""

from __future__ import annotations

import pytest

from tests.integration.http.conftest import World
from tests.integration.http.ui_support import set_password, sign_in


@pytest.fixture
def storage_url() -> str:
    return "memory://"


def _project_pages(project_id: int, flag_id: int) -> list[str]:
    base = f"/ui/projects/{project_id}"
    return [
        f"{base}/flags",
        f"{base}/flags?search=x&page=2",
    ]


async def test_another_organizations_project_is_not_found_in_the_ui(world: World) -> None:
    created = await world.client.post(
        world.url(project=world.other_project_id),
        json={"key": "their-secret-flag", "filters": {"groups": [{"properties": [], "rollout_percentage": 100}]}},
        headers=world.auth(world.other_key),
    )
    assert created.status_code == 201, created.text
    await set_password(world.client, world.user_id)
    assert (await sign_in(world.client, "admin@flagcore.local")).status_code == 303
    home = await world.client.get("/ui/")
    assert f"/ui/projects/{world.other_project_id}/" not in home.text
    assert f"/ui/projects/{world.project_id}/flags" in home.text
    for page in _project_pages(world.other_project_id, created.json()["id"]):
        answer = await world.client.get(page)
        assert answer.status_code == 404, page
        assert "their-secret-flag" not in answer.text
        assert world.other_project_api_key not in answer.text
    for page in _project_pages(world.project_id, created.json()["id"])[:1]:
        assert (await world.client.get(page)).status_code == 200
