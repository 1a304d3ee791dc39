"""Admin UI sign-in over HTTP: cookies, CSRF, bad credentials, the bound on attempts, sign out, the members API."""

from __future__ import annotations

import pytest

from flagcore.domain.identity.sign_in import MAX_FAILED_SIGN_INS
from tests.integration.http.conftest import World
from tests.integration.http.ui_support import PASSWORD, csrf_of, set_password, sign_in

ADMIN = "admin@flagcore.local"


@pytest.fixture(params=["memory", "sql:sqlite"])
def storage_url(request: pytest.FixtureRequest, tmp_path: object) -> str:
    return "memory://" if request.param == "memory" else f"sqlite+aiosqlite:///{tmp_path}/ui.db"


async def test_pages_need_a_session(world: World) -> None:
    response = await world.client.get("/ui/projects/1/flags?search=x", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/ui/sign-in?next=/ui/projects/1/flags%3Fsearch%3Dx"


async def test_sign_in_sets_an_httponly_samesite_cookie_and_sign_out_ends_it(world: World) -> None:
    await set_password(world.client, world.user_id)
    answer = await sign_in(world.client, ADMIN.upper())  # emails are case-insensitive
    assert answer.status_code == 303, answer.text
    cookie = answer.headers["set-cookie"].lower()
    assert "flagcore_session=" in cookie
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    home = await world.client.get("/ui/")
    assert home.status_code == 200
    assert ADMIN in home.text
    out = await world.client.post("/ui/sign-out", data={"csrf_token": csrf_of(home.text)}, follow_redirects=False)
    assert out.status_code == 303
    assert (await world.client.get("/ui/", follow_redirects=False)).status_code == 303


async def test_a_form_without_the_csrf_token_is_refused(world: World) -> None:
    await set_password(world.client, world.user_id)
    await sign_in(world.client, ADMIN)
    forged = await world.client.post("/ui/sign-out", data={"csrf_token": "forged"}, follow_redirects=False)
    assert forged.status_code == 403
    assert (await world.client.get("/ui/")).status_code == 200  # still signed in
    page = await world.client.get("/ui/sign-in")
    no_token = await world.client.post(
        "/ui/sign-in", data={"email": ADMIN, "password": PASSWORD, "csrf_token": csrf_of(page.text) + "x"}
    )
    assert no_token.status_code == 403


@pytest.mark.parametrize(
    ("email", "password"), [(ADMIN, "wrong-password"), ("nobody@example.com", PASSWORD), ("", ""), (ADMIN, "")]
)
async def test_bad_credentials_get_one_clear_message(world: World, email: str, password: str) -> None:
    await set_password(world.client, world.user_id)
    answer = await sign_in(world.client, email, password)
    assert answer.status_code == 401
    assert "Incorrect email or password." in answer.text
    assert "flagcore_session=" not in answer.headers.get("set-cookie", "")


async def test_a_user_without_a_password_cannot_sign_in(world: World) -> None:
    assert (await sign_in(world.client, ADMIN, "")).status_code == 401


async def test_attempts_are_bounded_even_with_the_right_password(world: World) -> None:
    await set_password(world.client, world.user_id)
    for _ in range(MAX_FAILED_SIGN_INS):
        assert (await sign_in(world.client, ADMIN, "wrong-password")).status_code == 401
    locked = await sign_in(world.client, ADMIN)
    assert locked.status_code == 429
    assert "Too many failed sign-in attempts" in locked.text


async def test_the_next_page_is_only_ever_inside_the_ui(world: World) -> None:
    await set_password(world.client, world.user_id)
    page = await world.client.get("/ui/sign-in?next=//evil.example/")
    answer = await world.client.post(
        "/ui/sign-in",
        data={"csrf_token": csrf_of(page.text), "email": ADMIN, "password": PASSWORD, "next": "https://evil.example/"},
        follow_redirects=False,
    )
    assert answer.headers["location"] == "/ui/"


async def test_the_members_api_sets_a_new_members_password_but_never_replaces_one(world: World) -> None:
    members = f"/api/organizations/{world.organization_id}/members/"
    short = await world.client.post(members, json={"email": "n@example.com", "password": "short"}, headers=world.auth())
    assert short.status_code == 400
    assert short.json()["attr"] == "password"
    listed = (await world.client.get(members, headers=world.auth())).json()["results"]
    assert "n@example.com" not in {m["user"]["email"] for m in listed}  # nothing stored
    added = await world.client.post(
        members, json={"email": "n@example.com", "password": PASSWORD}, headers=world.auth()
    )
    assert added.status_code == 201, added.text
    assert (await sign_in(world.client, "n@example.com")).status_code == 303
    # The other organization's owner adding the same user must not take the account over.
    other = f"/api/organizations/{world.other_organization_id}/members/"
    taken = await world.client.post(
        other, json={"email": "n@example.com", "password": "another-password"}, headers=world.auth(world.other_key)
    )
    assert taken.status_code == 400
    assert taken.json()["code"] == "password_set"


@pytest.mark.world_settings(ui_secure_cookie=True)
async def test_behind_https_the_cookies_are_secure(world: World) -> None:
    page = await world.client.get("/ui/sign-in")
    assert "secure" in page.headers["set-cookie"].lower()
    await set_password(world.client, world.user_id)
    # A Secure cookie is not sent back over http: hand it over as a browser on https would.
    world.client.cookies.set("flagcore_sign_in_csrf", page.cookies["flagcore_sign_in_csrf"])
    answer = await world.client.post(
        "/ui/sign-in",
        data={"csrf_token": csrf_of(page.text), "email": ADMIN, "password": PASSWORD},
        follow_redirects=False,
    )
    session = next(c for c in answer.headers.get_list("set-cookie") if c.startswith("flagcore_session="))
    assert "secure" in session.lower()
