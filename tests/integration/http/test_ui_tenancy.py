"""The admin UI never shows another organization's data: its pages are "not found", its forms change nothing.

Also: every form of the UI refuses a POST without the session's CSRF token.
"""

from __future__ import annotations

import pytest

from tests.integration.http.conftest import World
from tests.integration.http.test_bola_matrix import app_routes
from tests.integration.http.ui_support import signed_in

FILTERS = {"groups": [{"properties": [], "rollout_percentage": 100}]}


@pytest.fixture
def storage_url() -> str:
    return "memory://"


async def _their_flag(world: World) -> int:
    created = await world.client.post(
        world.url(project=world.other_project_id),
        json={"key": "their-secret-flag", "filters": FILTERS},
        headers=world.auth(world.other_key),
    )
    assert created.status_code == 201, created.text
    return int(created.json()["id"])


async def test_another_organizations_pages_are_not_found(world: World) -> None:
    flag_id = await _their_flag(world)
    await signed_in(world.client, world.user_id)
    home = await world.client.get("/ui/")
    assert f"/ui/projects/{world.other_project_id}/" not in home.text
    assert f"/ui/projects/{world.project_id}/flags" in home.text
    pages = [
        f"/ui/projects/{world.other_project_id}/flags",
        f"/ui/projects/{world.other_project_id}/flags?search=their",
        f"/ui/projects/{world.other_project_id}/flags/new",
        f"/ui/projects/{world.other_project_id}/flags/{flag_id}",
        f"/ui/projects/{world.other_project_id}/flags/{flag_id}/history",
        f"/ui/projects/{world.project_id}/flags/{flag_id}",  # their flag id under our project
        f"/ui/projects/{world.project_id}/flags/{flag_id}/history",
        f"/ui/projects/{world.other_project_id}/test-user",
        f"/ui/projects/{world.other_project_id}/keys",
        f"/ui/organizations/{world.other_organization_id}/members",
    ]
    for page in pages:
        answer = await world.client.get(page)
        assert answer.status_code == 404, page
        assert "their-secret-flag" not in answer.text
        assert world.other_project_api_key not in answer.text
        assert "other@example.com" not in answer.text


async def test_another_organizations_forms_change_nothing(world: World) -> None:
    flag_id = await _their_flag(world)
    csrf = await signed_in(world.client, world.user_id)
    posts = {
        f"/ui/projects/{world.other_project_id}/flags/new": {"key": "planted", "g0.rollout": "100"},
        f"/ui/projects/{world.other_project_id}/flags/{flag_id}": {"key": "renamed", "g0.rollout": "0", "version": "1"},
        f"/ui/projects/{world.project_id}/flags/{flag_id}": {"key": "renamed", "g0.rollout": "0", "version": "1"},
        f"/ui/projects/{world.other_project_id}/test-user": {"distinct_id": "someone"},
        f"/ui/projects/{world.other_project_id}/keys": {"label": "stolen"},
        f"/ui/organizations/{world.other_organization_id}/members": {"email": "spy@example.com", "level": "15"},
    }
    for path, data in posts.items():
        answer = await world.client.post(path, data={"csrf_token": csrf, **data}, follow_redirects=False)
        assert answer.status_code == 404, path
        assert "their-secret-flag" not in answer.text
    listed = await world.client.get(world.url(project=world.other_project_id), headers=world.auth(world.other_key))
    assert [f["key"] for f in listed.json()["results"]] == ["their-secret-flag"]
    assert listed.json()["results"][0]["version"] == 1
    members = await world.client.get(
        f"/api/organizations/{world.other_organization_id}/members/", headers=world.auth(world.other_key)
    )
    assert "spy@example.com" not in members.text


async def test_every_form_refuses_a_post_without_the_sessions_csrf_token(world: World) -> None:
    await signed_in(world.client, world.user_id)
    posts = sorted(r.split(" ", 1)[1] for r in app_routes(world.client.app) if r.startswith("POST /ui/"))
    assert len(posts) >= 10
    for template in posts:
        if template == "/ui/sign-in":
            continue  # before a session: its own token (tests/integration/http/test_ui_sign_in.py)
        path = (
            template.replace("{project_id:int}", str(world.project_id))
            .replace("{flag_id:int}", "1")
            .replace("{organization_id:str}", world.organization_id)
            .replace("{user_uuid:str}", "x")
            .replace("{key_id:str}", "x")
            .replace("{request_id:str}", "00000000-0000-0000-0000-000000000000")
        )
        for data in ({}, {"csrf_token": "forged"}):
            answer = await world.client.post(path, data=data, follow_redirects=False)
            assert answer.status_code == 403, (path, data, answer.status_code)
    assert (await world.client.get("/ui/")).status_code == 200  # the forged sign-out did not sign out
