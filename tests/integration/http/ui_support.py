"""Driving the admin UI in-process: set a password, sign in through the form, read CSRF tokens from pages."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

from flagcore.app.identity.sign_in import SetPassword

PASSWORD = "correct-horse-battery"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found is not None, "the page has no CSRF field"
    return found.group(1)


async def set_password(client: Any, user_id: int, password: str = PASSWORD) -> None:
    container = client.app.state.dishka_container
    await (await container.get(SetPassword)).execute(user_id, password)


async def sign_in(client: Any, email: str, password: str = PASSWORD) -> Any:
    """Sign in through the form; returns the answer to the POST (303 to the next page when it worked)."""
    page = await client.get("/ui/sign-in")
    return await client.post(
        "/ui/sign-in",
        data={"csrf_token": csrf_of(page.text), "email": email, "password": password, "next": "/ui/"},
        follow_redirects=False,
    )


ADMIN = "admin@flagcore.local"


async def signed_in(client: Any, user_id: int, email: str = ADMIN) -> str:
    """Sign the user in; returns a CSRF token of their session."""
    await set_password(client, user_id)
    answer = await sign_in(client, email)
    assert answer.status_code == 303, answer.text
    return csrf_of((await client.get("/ui/keys")).text)


def field_errors(html: str) -> list[str]:
    return [unescape(m) for m in re.findall(r'class="field-error"[^>]*>([^<]*)<', html)]
