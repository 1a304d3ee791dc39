"""The admin UI's change requests over HTTP: a gated edit, the list, a request's page, approve / reject / cancel.

Every refusal of the approvals use cases is shown on the request's page (and changes nothing); another
organization's request is "not found" and its forms change nothing; a form without the CSRF token is refused.
"""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest

from tests.integration.http.approvals_support import flag, member, policy, requests_url
from tests.integration.http.conftest import World
from tests.integration.http.ui_support import signed_in

PENDING = "A change request has been created and is pending approval."
APPROVER = "approver@example.com"
_REQUEST_LINK = re.compile(r"/change-requests/([0-9a-f-]{36})")


@pytest.fixture(params=["memory", "sql:sqlite"])
def storage_url(request: pytest.FixtureRequest, tmp_path: object) -> str:
    return "memory://" if request.param == "memory" else f"sqlite+aiosqlite:///{tmp_path}/ui.db"


def text(html: str) -> str:
    """The page's text, tags removed and whitespace collapsed, for asserting on what a reader sees."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def ui_requests(world: World, suffix: str = "", project: int | None = None) -> str:
    return f"/ui/projects/{project or world.project_id}/change-requests{suffix}"


async def _api_flag(world: World, flag_id: int, key: str | None = None, project: int | None = None) -> dict[str, Any]:
    answer = await world.client.get(world.url(f"{flag_id}/", project=project), headers=world.auth(key))
    return answer.json()  # type: ignore[no-any-return]


async def _api_request(world: World, request_id: str) -> dict[str, Any]:
    return (await world.client.get(requests_url(world, f"{request_id}/"), headers=world.auth())).json()  # type: ignore[no-any-return]


async def _edit(world: World, csrf: str, made: dict[str, Any], **fields: str) -> Any:
    """Save the flag's edit form with ``active`` checked (what the test's policy gates)."""
    data = {
        "csrf_token": csrf,
        "key": made["key"],
        "name": made.get("name") or "",
        "runtime": "all",
        "g0.rollout": "50",
        "version": str(made["version"]),
        "active": "1",
        **fields,
    }
    return await world.client.post(f"/ui/projects/{world.project_id}/flags/{made['id']}", data=data)


async def _gated(world: World, csrf: str, key: str = "gated") -> tuple[dict[str, Any], str]:
    """A flag switched off, and the change request the admin's edit switching it on became."""
    made = await flag(world, key=key, active=False)
    answer = await _edit(world, csrf, made)
    assert answer.status_code == 202, text(answer.text)
    found = _REQUEST_LINK.search(answer.text)
    assert found is not None
    return made, found.group(1)


async def _post(world: World, csrf: str, request_id: str, action: str, reason: str = "") -> Any:
    return await world.client.post(
        ui_requests(world, f"/{request_id}/{action}"),
        data={"csrf_token": csrf, "reason": reason},
        follow_redirects=False,
    )


async def _as(world: World, user_id: int, email: str) -> str:
    """Sign the client in as this user (its cookie replaces the previous session); their CSRF token."""
    return await signed_in(world.client, user_id, email)


async def test_a_gated_edit_says_why_links_its_request_and_saves_nothing(world: World) -> None:
    approver = await member(world, APPROVER)
    await policy(world, approver_config={"quorum": 1, "users": [approver.id]})
    csrf = await signed_in(world.client, world.user_id)
    made = await flag(world, key="gated", active=False, name="Before")
    answer = await _edit(world, csrf, made, name="After")
    assert answer.status_code == 202
    page = text(answer.text)
    assert "This edit needs approval" in page
    assert PENDING in page
    assert "saved as a change request" in page
    assert "It needs 1 approval(s)." in page
    found = _REQUEST_LINK.search(answer.text)
    assert found is not None
    request_id = found.group(1)
    assert (await _api_request(world, request_id))["state"] == "pending"
    stored = await _api_flag(world, made["id"])
    assert (stored["active"], stored["name"], stored["version"]) == (False, "Before", made["version"])
    # The flag's page tells of the open request, with a link to it.
    flag_page = await world.client.get(f"/ui/projects/{world.project_id}/flags/{made['id']}")
    assert 'id="pending-requests"' in flag_page.text
    assert f"/change-requests/{request_id}" in flag_page.text
    assert "Enable the flag" in text(flag_page.text)
    # The same change again: refused, the edit kept on the page, and the open request named.
    again = await _edit(world, csrf, made, name="Edited again")
    assert again.status_code == 409
    assert "A pending approval request already exists for this action" in text(again.text)
    assert "not saved" in text(again.text)
    assert 'value="Edited again"' in again.text
    assert f"/change-requests/{request_id}" in again.text
    # A flag without any request has no notice.
    plain = await flag(world, key="plain", active=True)
    plain_page = await world.client.get(f"/ui/projects/{world.project_id}/flags/{plain['id']}")
    assert 'id="pending-requests"' not in plain_page.text


async def test_the_list_shows_pending_first_and_filters_by_state(world: World) -> None:
    approver = await member(world, APPROVER)
    await policy(world, approver_config={"quorum": 1, "users": [approver.id]})
    csrf = await signed_in(world.client, world.user_id)
    _, pending_id = await _gated(world, csrf, key="first-pending")
    _, rejected_id = await _gated(world, csrf, key="then-rejected")  # newer: listed first by date
    refused = await world.client.post(
        requests_url(world, f"{rejected_id}/reject/"), json={"reason": "no"}, headers=world.auth(approver.key)
    )
    assert refused.status_code == 200, refused.text
    listed = await world.client.get(ui_requests(world))
    assert listed.status_code == 200
    assert listed.text.index(pending_id) < listed.text.index(rejected_id)
    assert "2 change request(s)" in text(listed.text)
    row = re.search(r'<tr data-state="pending">(.*?)</tr>', listed.text, re.DOTALL)
    assert row is not None
    assert "first-pending" in row.group(1)
    assert "Enable the flag" in text(row.group(1))
    assert "admin@flagcore.local" in row.group(1)
    assert "0/1" in row.group(1)
    only_rejected = await world.client.get(ui_requests(world, "?state=rejected"))
    assert rejected_id in only_rejected.text
    assert pending_id not in only_rejected.text
    only_pending = await world.client.get(ui_requests(world, "?state=pending"))
    assert (pending_id in only_pending.text, rejected_id in only_pending.text) == (True, False)
    bad = await world.client.get(ui_requests(world, "?state=bogus"))
    assert bad.status_code == 200
    assert "Unknown state 'bogus'" in text(bad.text)
    assert pending_id in bad.text
    nav = await world.client.get(f"/ui/projects/{world.project_id}/flags")
    assert f'href="/ui/projects/{world.project_id}/change-requests"' in nav.text


async def test_the_request_page_shows_the_change_who_when_votes_and_expiry(world: World) -> None:
    approver = await member(world, APPROVER)
    await policy(world, approver_config={"quorum": 1, "users": [approver.id]}, expires_after="2 00:00:00")
    csrf = await signed_in(world.client, world.user_id)
    made = await flag(world, key="detailed", active=False, name="Old name")
    answer = await _edit(world, csrf, made, name="New name")
    found = _REQUEST_LINK.search(answer.text)
    assert found is not None
    request_id = found.group(1)
    api = await _api_request(world, request_id)
    page = await world.client.get(ui_requests(world, f"/{request_id}"))
    assert page.status_code == 200
    shown = text(page.text)
    assert "Enable the flag: detailed" in shown
    assert "Requested by admin@flagcore.local" in shown
    assert f"Expires {api['expires_at'][:10]}" in shown
    assert "Approvals 0 of 1 needed" in shown
    assert f"Approvers 1 approval from {APPROVER}" in shown
    assert 'id="cr-state">pending<' in page.text
    changes = re.search(r'<table class="diff" id="cr-changes">(.*?)</table>', page.text, re.DOTALL)
    assert changes is not None
    rows = text(changes.group(1))
    assert "active false true" in rows
    assert "name Old name New name" in rows
    assert "filters" not in rows  # the form sent the same rollout, and an empty payloads map is no change
    assert "active : false → true" in text(page.text)  # why it was gated
    assert "No votes yet." in shown
    # The requester may not approve their own request (the domain's reason), but may cancel it.
    assert "You cannot approve your own change request" in shown
    assert 'id="vote-form"' not in page.text
    assert 'id="cancel-form"' in page.text
    # The approver sees the vote form, not the cancel form.
    await _as(world, approver.id, APPROVER)
    theirs = await world.client.get(ui_requests(world, f"/{request_id}"))
    assert ('id="vote-form"' in theirs.text, 'id="cancel-form"' in theirs.text) == (True, False)


async def test_approving_applies_the_change_to_the_flag(world: World) -> None:
    approver = await member(world, APPROVER)
    await policy(world, approver_config={"quorum": 1, "users": [approver.id]})
    csrf = await signed_in(world.client, world.user_id)
    made, request_id = await _gated(world, csrf)
    csrf = await _as(world, approver.id, APPROVER)
    answer = await _post(world, csrf, request_id, "approve", reason="looks right")
    assert answer.status_code == 303
    assert answer.headers["location"] == ui_requests(world, f"/{request_id}?done=applied")
    page = text((await world.client.get(answer.headers["location"])).text)
    assert "the quorum was reached and the change was applied" in page
    assert f"{APPROVER} approved looks right" in page
    assert "Decide" not in page  # no longer pending: no forms
    after = await _api_flag(world, made["id"])
    assert (after["active"], after["version"]) == (True, made["version"] + 1)
    assert (await _api_request(world, request_id))["state"] == "applied"
    history = text((await world.client.get(f"/ui/projects/{world.project_id}/flags/{made['id']}/history")).text)
    assert "active false true" in history


async def test_rejecting_needs_a_reason_and_leaves_the_flag(world: World) -> None:
    approver = await member(world, APPROVER)
    await policy(world, approver_config={"quorum": 1, "users": [approver.id]})
    csrf = await signed_in(world.client, world.user_id)
    made, request_id = await _gated(world, csrf)
    csrf = await _as(world, approver.id, APPROVER)
    missing = await _post(world, csrf, request_id, "reject", reason="   ")
    assert missing.status_code == 400
    assert 'id="action-error"' in missing.text
    assert "A reason is required for rejection." in text(missing.text)
    assert (await _api_request(world, request_id))["state"] == "pending"
    answer = await _post(world, csrf, request_id, "reject", reason="not this week")
    assert answer.status_code == 303
    assert answer.headers["location"].endswith("?done=rejected")
    page = text((await world.client.get(answer.headers["location"])).text)
    assert "Change request rejected." in page
    assert f"{APPROVER} rejected not this week" in page
    assert (await _api_request(world, request_id))["state"] == "rejected"
    assert (await _api_flag(world, made["id"]))["active"] is False


async def test_the_requester_cancels_and_nobody_else_may(world: World) -> None:
    approver = await member(world, APPROVER)
    await policy(world, approver_config={"quorum": 1, "users": [approver.id]})
    csrf = await signed_in(world.client, world.user_id)
    made, request_id = await _gated(world, csrf)
    approver_csrf = await _as(world, approver.id, APPROVER)
    theirs = await _post(world, approver_csrf, request_id, "cancel")
    assert theirs.status_code == 403
    assert "You can only cancel your own change requests" in text(theirs.text)
    assert (await _api_request(world, request_id))["state"] == "pending"
    csrf = await _as(world, world.user_id, "admin@flagcore.local")
    answer = await _post(world, csrf, request_id, "cancel")
    assert answer.status_code == 303
    assert "Change request canceled." in text((await world.client.get(answer.headers["location"])).text)
    body = await _api_request(world, request_id)
    assert (body["state"], body["approvals"][0]["reason"]) == ("rejected", "Canceled by requester")
    assert (await _api_flag(world, made["id"]))["active"] is False


@pytest.mark.parametrize(
    ("who", "action", "status", "message"),
    [
        ("requester", "approve", 403, "You cannot approve your own change request"),
        ("requester", "reject", 403, "You cannot approve your own change request"),
        ("outsider", "approve", 403, "You are not in the approver set for this change request"),
        ("outsider", "reject", 403, "You are not in the approver set for this change request"),
    ],
)
async def test_who_may_not_vote_is_told_why(world: World, who: str, action: str, status: int, message: str) -> None:
    approver = await member(world, APPROVER)
    outsider = await member(world, "outsider@example.com")
    await policy(world, approver_config={"quorum": 1, "users": [approver.id]})
    csrf = await signed_in(world.client, world.user_id)
    made, request_id = await _gated(world, csrf)
    if who == "outsider":
        csrf = await _as(world, outsider.id, "outsider@example.com")
    answer = await _post(world, csrf, request_id, action, reason="because")
    assert answer.status_code == status
    assert message in text(answer.text)
    body = await _api_request(world, request_id)
    assert (body["state"], body["approvals"]) == ("pending", [])
    assert (await _api_flag(world, made["id"]))["active"] is False


async def test_a_decided_request_and_a_second_vote_are_refused(world: World) -> None:
    approver = await member(world, APPROVER)
    second = await member(world, "second@example.com")
    await policy(world, approver_config={"quorum": 2, "users": [approver.id, second.id]})
    csrf = await signed_in(world.client, world.user_id)
    _, request_id = await _gated(world, csrf)
    csrf = await _as(world, approver.id, APPROVER)
    first = await _post(world, csrf, request_id, "approve")
    assert first.headers["location"].endswith("?done=approved")
    assert "more approvals are needed" in text((await world.client.get(first.headers["location"])).text)
    twice = await _post(world, csrf, request_id, "approve")
    assert twice.status_code == 400
    assert "You have already voted on this change request." in text(twice.text)
    assert "You have already voted on this change request (approved)." in text(
        (await world.client.get(ui_requests(world, f"/{request_id}"))).text
    )
    csrf = await _as(world, second.id, "second@example.com")
    assert (await _post(world, csrf, request_id, "reject", reason="no")).status_code == 303
    late = await _post(world, csrf, request_id, "approve")
    assert late.status_code == 403
    assert "Only pending change requests can be approved" in text(late.text)
    assert (await _api_request(world, request_id))["state"] == "rejected"


async def test_a_failed_precondition_is_shown_and_the_flag_left_alone(world: World) -> None:
    approver = await member(world, APPROVER)
    await policy(world, approver_config={"quorum": 1, "users": [approver.id]})
    csrf = await signed_in(world.client, world.user_id)
    made, request_id = await _gated(world, csrf)
    renamed = await world.client.patch(world.url(f"{made['id']}/"), json={"name": "moved on"}, headers=world.auth())
    assert renamed.status_code == 200, renamed.text
    csrf = await _as(world, approver.id, APPROVER)
    answer = await _post(world, csrf, request_id, "approve")
    assert answer.headers["location"].endswith("?done=failed")
    page = await world.client.get(answer.headers["location"])
    alert = re.search(r'<p class="error" role="alert" id="done">(.*?)</p>', page.text, re.DOTALL)
    assert alert is not None
    assert "could not be applied: Precondition failed: the flag is at version" in text(alert.group(1))
    after = await _api_flag(world, made["id"])
    assert (after["active"], after["name"]) == (False, "moved on")
    assert (await _api_request(world, request_id))["state"] == "failed"


async def test_a_post_without_the_csrf_token_is_refused(world: World) -> None:
    approver = await member(world, APPROVER)
    await policy(world, approver_config={"quorum": 1, "users": [approver.id]})
    csrf = await signed_in(world.client, world.user_id)
    _, request_id = await _gated(world, csrf)
    await _as(world, approver.id, APPROVER)
    for action in ("approve", "reject", "cancel"):
        for data in ({"reason": "x"}, {"reason": "x", "csrf_token": "forged"}):
            answer = await world.client.post(ui_requests(world, f"/{request_id}/{action}"), data=data)
            assert answer.status_code == 403, (action, data)
            assert "Form expired" in answer.text
    body = await _api_request(world, request_id)
    assert (body["state"], body["approvals"]) == ("pending", [])


async def test_another_organizations_request_is_not_found_and_its_forms_change_nothing(world: World) -> None:
    other = world.other_project_id
    made = await world.client.post(
        f"/api/projects/{other}/approval_policies/",
        json={"action_key": "feature_flag.enable", "approver_config": {"quorum": 1, "users": []}},
        headers=world.auth(world.other_key),
    )
    assert made.status_code == 201, made.text
    theirs = await world.client.post(
        world.url(project=other),
        json={"key": "their-secret-flag", "active": False, "filters": {"groups": [{"rollout_percentage": 9}]}},
        headers=world.auth(world.other_key),
    )
    assert theirs.status_code == 201, theirs.text
    gated = await world.client.patch(
        world.url(f"{theirs.json()['id']}/", project=other), json={"active": True}, headers=world.auth(world.other_key)
    )
    assert gated.status_code == 409, gated.text
    their_id = gated.json()["change_request_id"]
    csrf = await signed_in(world.client, world.user_id)
    pages = [
        ui_requests(world, project=other),
        ui_requests(world, f"/{their_id}", project=other),
        ui_requests(world, f"/{their_id}"),  # their request under our project
        ui_requests(world, "/not-a-uuid"),
    ]
    for path in pages:
        answer = await world.client.get(path)
        assert answer.status_code == 404, path
        assert "their-secret-flag" not in answer.text
        assert "other@example.com" not in answer.text
    assert their_id not in (await world.client.get(ui_requests(world))).text
    for project in (other, world.project_id):
        for action in ("approve", "reject", "cancel"):
            answer = await world.client.post(
                ui_requests(world, f"/{their_id}/{action}", project=project),
                data={"csrf_token": csrf, "reason": "mine now"},
                follow_redirects=False,
            )
            assert answer.status_code == 404, (project, action)
            assert "their-secret-flag" not in answer.text
    url = f"/api/projects/{other}/change_requests/{their_id}/"
    body = (await world.client.get(url, headers=world.auth(world.other_key))).json()
    assert (body["state"], body["approvals"]) == ("pending", [])
    assert (await _api_flag(world, theirs.json()["id"], key=world.other_key, project=other))["active"] is False
