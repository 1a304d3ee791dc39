"""The Swagger UI at ``/schema`` in a real browser, with every request outside the server refused (no internet)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.browser import chromium
from tests.e2e.conftest import Server

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_swagger_ui_shows_the_operations_offline(server: Server) -> None:
    own = urlsplit(server.base_url).netloc
    elsewhere: list[str] = []

    def only_this_server(route: Any) -> None:
        if urlsplit(route.request.url).netloc == own:
            route.continue_()
        else:  # what a machine without internet does to a CDN request
            elsewhere.append(route.request.url)
            route.abort()

    with chromium() as browser:
        page = browser.new_page()
        page.route("**/*", only_this_server)
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"{server.base_url}/schema")
        page.wait_for_selector(".opblock", timeout=20_000)
        operations = page.locator(".opblock").count()
        paths = page.locator(".opblock-summary-path").all_inner_texts()
        title = page.locator(".info .title").inner_text()

        # Opening an operation shows its parameters and the documented error body.
        page.locator(".opblock-summary", has_text="/api/projects/{project_id}/feature_flags").first.click()
        page.wait_for_selector(".opblock.is-open .parameters", timeout=10_000)
        opened = page.locator(".opblock.is-open").inner_text()

    assert elsewhere == [], f"the page asked for resources elsewhere: {elsewhere}"
    assert errors == []
    assert "flagcore" in title
    assert operations >= 20
    assert any(p.startswith("/api/projects/{project_id}/feature_flags") for p in paths)
    assert "/flags" in [p.replace("\u200b", "") for p in paths]
    assert "project_id" in opened
    assert "limit" in opened
