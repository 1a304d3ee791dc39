"""The admin UI in a real browser (Debian's Chromium through Playwright) against a real ``flagcore serve``.

Sign in, create a flag with a condition and variants, roll it out, read the change in its history, see a test user's
value change, a 409 conflict between two browser sessions, an edit that a policy turns into a change request and a
second user approving it, and bad input in every form (shown, nothing stored).
Every request outside the server is refused (no internet on-prem) and no page may log a console error (a CSP
violation would). Screenshots go to ``artifacts/screenshots/`` for a reviewer (not committed).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.browser import chromium
from tests.e2e.conftest import Server

# One worker for the module: its tests share one server and one browser (each test makes its own flags).
pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.xdist_group("admin_ui")]

SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


class Browser:
    """One Chromium for the module; pages in their own contexts (separate cookies: separate sessions)."""

    def __init__(self, browser: Any, server: Server) -> None:
        self.browser = browser
        self.server = server
        self.console_errors: list[str] = []
        self.elsewhere: list[str] = []

    def page(self, width: int = 1280, height: int = 900) -> Any:
        context = self.browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        own = urlsplit(self.server.base_url).netloc

        def only_this_server(route: Any) -> None:
            if urlsplit(route.request.url).netloc == own:
                route.continue_()
            else:
                self.elsewhere.append(route.request.url)
                route.abort()

        page.route("**/*", only_this_server)
        page.on("console", lambda m: self.console_errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda exc: self.console_errors.append(str(exc)))
        return page

    def signed_in(self, width: int = 1280, email: str | None = None, password: str | None = None) -> Any:
        """A page in a new context (its own session), signed in as the admin or as ``email``."""
        page = self.page(width)
        page.goto(f"{self.server.base_url}/ui/")
        page.get_by_label("Email").fill(email or self.server.credentials["email"])
        page.get_by_label("Password").fill(password or self.server.credentials["password"])
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(re.compile(r".*/ui/$"))
        return page


@pytest.fixture(scope="module")
def ui(server: Server) -> Iterator[Browser]:
    SHOTS.mkdir(parents=True, exist_ok=True)
    with chromium() as browser:
        driver = Browser(browser, server)
        yield driver
    # Console errors are expected only from pages answering 4xx on purpose (Chromium logs the failed load).
    unexpected = [e for e in driver.console_errors if "Failed to load resource" not in e]
    assert unexpected == [], unexpected
    assert driver.elsewhere == [], driver.elsewhere


def shot(page: Any, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def flags_url(server: Server) -> str:
    return f"{server.base_url}/ui/projects/{server.credentials['project_id']}/flags"


def api_flags(server: Server) -> list[dict[str, Any]]:
    with server.client() as client:
        answer = client.get(f"/api/projects/{server.credentials['project_id']}/feature_flags/")
    return list(answer.json()["results"])


def test_sign_in_with_the_keyboard_after_a_wrong_password(ui: Browser) -> None:
    page = ui.page()
    page.goto(f"{ui.server.base_url}/ui/")
    page.get_by_label("Email").fill(ui.server.credentials["email"])
    page.get_by_label("Password").fill("not-the-password")
    page.keyboard.press("Enter")
    assert page.get_by_role("alert").inner_text() == "Incorrect email or password."
    shot(page, "sign-in-error")
    page.get_by_label("Password").focus()
    page.keyboard.type(ui.server.credentials["password"])
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/ui/$"))
    assert page.get_by_role("heading", name="Your projects").is_visible()
    shot(page, "projects")


def test_create_roll_out_history_and_test_user(ui: Browser) -> None:
    server = ui.server
    page = ui.signed_in()
    page.get_by_role("link", name="Default Project").click()
    page.get_by_role("link", name="New flag").click()
    page.get_by_label("Key", exact=True).fill("new-checkout")
    page.get_by_label("Name / description").fill("The new checkout")
    page.locator("[name='g0.p0.key']").fill("email")
    page.locator("[name='g0.p0.operator']").select_option("icontains")
    page.locator("[name='g0.p0.value']").fill("@acme.com")
    page.locator("[name='g0.rollout']").fill("0")
    page.locator("[name='v0.key']").fill("control")
    page.locator("[name='v0.rollout']").fill("50")
    page.locator("[name='v1.key']").fill("redesign")
    page.locator("[name='v1.rollout']").fill("40")
    assert page.locator("#variant-sum").inner_text() == "90%"  # live, before any request
    page.locator("[name='v1.rollout']").fill("50")
    assert page.locator("#variant-sum").inner_text() == "100%"
    page.locator("[name='v1.payload']").fill('{"theme": "dark"')
    assert page.get_by_text("Not valid JSON yet.").is_visible()
    page.locator("[name='v1.payload']").fill('{"theme": "dark"}')
    shot(page, "flag-new")
    page.get_by_role("button", name="Create flag").click()
    assert page.locator("#saved").inner_text() == "Saved."
    assert page.locator("svg[role=img] rect.seg").count() == 2  # the split picture
    shot(page, "flag-edit")

    def test_user() -> str:
        page.goto(f"{server.base_url}/ui/projects/{server.credentials['project_id']}/test-user")
        page.get_by_label("Distinct id").fill("user-42")
        page.get_by_label("Person properties (JSON object)").fill('{"email": "jo@acme.com"}')
        page.get_by_role("button", name="Evaluate").click()
        return str(page.locator("tr[data-flag='new-checkout'] td.value").inner_text())

    assert test_user() == "false"  # the condition matches, the rollout is 0%
    page.goto(f"{flags_url(server)}?search=new-checkout")
    page.get_by_role("link", name="new-checkout").click()
    page.locator("[name='g0.rollout']").fill("100")
    page.get_by_role("button", name="Save").click()
    assert page.locator("#saved").inner_text() == "Saved."
    assert test_user() in {"control", "redesign"}
    shot(page, "test-user")
    page.goto(f"{flags_url(server)}?search=new-checkout")
    page.get_by_role("link", name="new-checkout").click()
    page.get_by_role("link", name="Activity history").click()
    row = page.locator("tr", has=page.locator("th", has_text="filters.groups[0].rollout_percentage"))
    assert re.fullmatch(r"filters\.groups\[0\]\.rollout_percentage\s+0(\.0)?\s+100(\.0)?", row.inner_text().strip())
    assert server.credentials["email"] in page.locator(".history-entry").first.inner_text()
    shot(page, "flag-history")
    page.goto(f"{flags_url(server)}?search=new-checkout")
    assert page.locator("#flag-count").inner_text() == "1 flag(s)"
    shot(page, "flag-list")


def test_two_sessions_saving_the_same_flag_conflict(ui: Browser) -> None:
    with ui.server.client() as client:
        created = client.post(
            f"/api/projects/{ui.server.credentials['project_id']}/feature_flags/",
            json={
                "key": "contested",
                "name": "Before",
                "filters": {"groups": [{"properties": [], "rollout_percentage": 10}]},
            },
        )
    assert created.status_code == 201, created.text
    first, second = ui.signed_in(), ui.signed_in()
    for page in (first, second):
        page.goto(f"{flags_url(ui.server)}?search=contested")
        page.get_by_role("link", name="contested").click()
    first.get_by_label("Name / description").fill("Saved by the first")
    first.get_by_role("button", name="Save").click()
    assert first.locator("#saved").inner_text() == "Saved."
    second.get_by_label("Name / description").fill("Saved by the second")
    second.get_by_role("button", name="Save").click()
    conflict = second.locator("#conflict")
    assert "Someone else saved this flag first" in conflict.inner_text()
    assert "Saved by the first" in conflict.inner_text()
    shot(second, "flag-conflict")
    (flag,) = [f for f in api_flags(ui.server) if f["key"] == "contested"]
    assert flag["name"] == "Saved by the first"
    second.get_by_role("link", name="Reload the saved version").click()
    assert second.get_by_label("Name / description").input_value() == "Saved by the first"


def test_an_edit_becomes_a_change_request_that_a_second_user_approves(ui: Browser) -> None:
    server = ui.server
    project, organization = server.credentials["project_id"], server.credentials["organization_id"]
    reviewer, password = "reviewer@example.com", "reviewer-password-1"
    with server.client() as client:
        added = client.post(
            f"/api/organizations/{organization}/members/", json={"email": reviewer, "password": password}
        )
        assert added.status_code == 201, added.text
        policy = client.post(
            f"/api/projects/{project}/approval_policies/",
            json={
                "action_key": "feature_flag.enable",
                "approver_config": {"quorum": 1, "users": [added.json()["user"]["id"]]},
            },
        )
        assert policy.status_code == 201, policy.text
        created = client.post(
            f"/api/projects/{project}/feature_flags/",
            json={"key": "needs-approval", "active": False, "filters": {"groups": [{"rollout_percentage": 100}]}},
        )
        assert created.status_code == 201, created.text
    try:
        admin = ui.signed_in()
        admin.goto(f"{flags_url(server)}?search=needs-approval")
        admin.get_by_role("link", name="needs-approval").click()
        admin.get_by_label("Active", exact=True).check()
        admin.get_by_role("button", name="Save").click()
        gated = admin.locator("#gated")
        assert "This edit needs approval" in gated.inner_text()
        assert "A change request has been created and is pending approval." in gated.inner_text()
        assert admin.locator("#pending-requests").is_visible()
        assert not admin.get_by_label("Active", exact=True).is_checked()  # the flag as it stays
        shot(admin, "flag-gated")
        (stored,) = [f for f in api_flags(server) if f["key"] == "needs-approval"]
        assert stored["active"] is False
        admin.get_by_role("link", name="View the change request").click()
        assert "You cannot approve your own change request" in admin.locator("#vote-refusal").inner_text()
        assert admin.get_by_role("button", name="Cancel this request").is_visible()
        shot(admin, "change-request-requester")
        # The reviewer, in a browser context of their own, finds the request and approves it.
        second = ui.signed_in(email=reviewer, password=password)
        second.goto(f"{server.base_url}/ui/")
        second.get_by_role("link", name="Default Project").click()
        second.get_by_role("link", name="Change requests").click()
        row = second.locator("#change-requests tbody tr").first
        assert "needs-approval" in row.inner_text()
        assert "pending" in row.inner_text()
        shot(second, "change-requests")
        row.get_by_role("link", name="needs-approval").click()
        changes = second.locator("#cr-changes").inner_text()
        assert re.search(r"active\s+false\s+true", changes), changes
        assert "filters" not in changes  # the form resent the same filters: not shown as a change
        second.get_by_label("Reason (required to reject)").fill("Checked the dashboard")
        second.get_by_role("button", name="Approve").click()
        assert "the change was applied" in second.locator("#done").inner_text()
        assert second.locator("#cr-state").inner_text() == "applied"
        assert "Checked the dashboard" in second.locator("#cr-votes").inner_text()
        shot(second, "change-request-applied")
        (stored,) = [f for f in api_flags(server) if f["key"] == "needs-approval"]
        assert stored["active"] is True
        # The admin sees the flag changed: switched on, no pending request, and the change in its history.
        admin.goto(f"{flags_url(server)}/{stored['id']}")
        assert admin.get_by_label("Active", exact=True).is_checked()
        assert admin.locator("#pending-requests").count() == 0
        admin.get_by_role("link", name="Activity history").click()
        entry = admin.locator(".history-entry").first
        assert re.search(r"active\s+false\s+true", entry.inner_text()), entry.inner_text()
        shot(admin, "flag-history-approved")
        phone = ui.signed_in(width=375, email=reviewer, password=password)
        phone.goto(f"{server.base_url}/ui/projects/{project}/change-requests")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 375
        phone.get_by_role("link", name="needs-approval").click()
        assert phone.evaluate("document.documentElement.scrollWidth") <= 375
        shot(phone, "change-request-phone")
    finally:
        # The module's server is shared: later tests enable flags without a policy in the way.
        with server.client() as client:
            client.delete(f"/api/projects/{project}/approval_policies/{policy.json()['id']}/")


def test_bad_input_in_every_form_is_shown_and_nothing_is_stored(ui: Browser) -> None:
    server = ui.server
    project = server.credentials["project_id"]
    page = ui.signed_in()
    before = api_flags(server)
    # Flag form: a key PostHog refuses, a payload that is not JSON (the script is bypassed: the server checks).
    page.goto(f"{flags_url(server)}/new")
    page.get_by_label("Key", exact=True).fill("good-key")
    page.locator("[name='payload_true']").evaluate("(el) => { el.value = '{nope'; }")
    page.get_by_role("button", name="Create flag").click()
    assert "Not valid JSON" in page.locator("#err-payload_true").inner_text()
    page.locator("[name='payload_true']").fill("")
    page.get_by_label("Key", exact=True).fill("bad key")
    page.get_by_role("button", name="Create flag").click()
    assert "Only letters, numbers" in page.locator("#err-key").inner_text()
    assert page.get_by_label("Key", exact=True).get_attribute("aria-invalid") == "true"
    shot(page, "flag-form-errors")
    assert api_flags(server) == before
    # Test a user: properties that are not an object.
    page.goto(f"{server.base_url}/ui/projects/{project}/test-user")
    page.get_by_label("Distinct id").fill("someone")
    page.get_by_label("Person properties (JSON object)").fill("[1, 2]")
    page.get_by_role("button", name="Evaluate").click()
    assert "Write a JSON object" in page.locator("#err-properties").inner_text()
    # Personal API key without a label; project secret key without a label.
    page.goto(f"{server.base_url}/ui/keys")
    keys_before = page.locator("#keys tbody tr").count()
    page.get_by_role("button", name="Create key").click()
    assert page.locator("#err-label").is_visible()
    assert page.locator("#keys tbody tr").count() == keys_before
    page.goto(f"{server.base_url}/ui/projects/{project}/keys")
    secrets_before = page.locator("#secret-keys tbody tr").count()
    page.get_by_role("button", name="Create secret key").click()
    assert page.locator("#err-label").is_visible()
    assert page.locator("#secret-keys tbody tr").count() == secrets_before
    # Members: a bad email, then a password too short.
    page.goto(f"{server.base_url}/ui/organizations/{server.credentials['organization_id']}/members")
    page.get_by_label("Email").fill("not-an-email")
    page.get_by_role("button", name="Add member").click()
    assert page.locator("#err-email").is_visible()
    page.get_by_label("Email").fill("new@example.com")
    page.get_by_label("First password (optional: they sign in to this UI with it)").fill("short")
    page.get_by_role("button", name="Add member").click()
    assert "at least 8 characters" in page.locator("#err-password").inner_text()
    assert "new@example.com" not in page.locator("#members").inner_text()
    shot(page, "members-errors")


def test_phone_width_has_no_sideways_scrolling(ui: Browser) -> None:
    page = ui.signed_in(width=375)
    for path in ("", "/new"):
        page.goto(f"{flags_url(ui.server)}{path}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shot(page, "flag-form-phone")
    page.goto(flags_url(ui.server))
    shot(page, "flag-list-phone")
