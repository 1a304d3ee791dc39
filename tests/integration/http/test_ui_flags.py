"""The admin UI's flag pages over HTTP: list filters and pages, create and edit through forms, errors, conflicts."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from flagcore.domain.flags import NewFlag
from flagcore.domain.flags.model import ConditionGroup, Filters
from tests.integration.http.conftest import World
from tests.integration.http.test_flag_usage import called, capture
from tests.integration.http.ui_support import field_errors, signed_in

GOOD: dict[str, str] = {
    "key": "checkout",
    "name": "New checkout",
    "active": "1",
    "runtime": "all",
    "g0.rollout": "10",
    "g0.p0.type": "person",
    "g0.p0.key": "email",
    "g0.p0.operator": "icontains",
    "g0.p0.value": "@acme.com",
    "g0.p1.key": "",
    "v0.key": "control",
    "v0.rollout": "50",
    "v1.key": "test",
    "v1.rollout": "50",
    "v1.payload": '{"color": "green"}',
}


@pytest.fixture(params=["memory", "sql:sqlite"])
def storage_url(request: pytest.FixtureRequest, tmp_path: object) -> str:
    return "memory://" if request.param == "memory" else f"sqlite+aiosqlite:///{tmp_path}/ui.db"


async def _flags(world: World) -> list[dict[str, Any]]:
    listed = await world.client.get(world.url(), headers=world.auth())
    return list(listed.json()["results"])


async def _create(world: World, csrf: str, **fields: str) -> Any:
    data = {**GOOD, **fields, "csrf_token": csrf}
    return await world.client.post(f"/ui/projects/{world.project_id}/flags/new", data=data, follow_redirects=False)


async def test_a_flag_made_in_the_form_is_the_apis_flag(world: World) -> None:
    csrf = await signed_in(world.client, world.user_id)
    created = await _create(world, csrf)
    assert created.status_code == 303, field_errors(created.text)
    (flag,) = await _flags(world)
    assert flag["key"] == "checkout"
    assert flag["filters"]["groups"] == [
        {
            "properties": [{"key": "email", "value": "@acme.com", "operator": "icontains", "type": "person"}],
            "rollout_percentage": 10,
            "variant": None,
        }
    ]
    assert [v["key"] for v in flag["filters"]["multivariate"]["variants"]] == ["control", "test"]
    assert flag["filters"]["payloads"] == {"test": '{"color": "green"}'}
    page = await world.client.get(created.headers["location"])
    assert "Saved." in page.text
    assert 'class="seg seg1"' in page.text  # the split picture, one segment per variant


@pytest.mark.parametrize(
    ("fields", "field_error"),
    [
        ({"key": ""}, "Only letters, numbers, hyphens (-) & underscores (_) are allowed."),
        ({"key": "bad key!"}, "Only letters, numbers, hyphens (-) & underscores (_) are allowed."),
        ({"v1.rollout": "40"}, "Variant rollout percentages must sum to 100."),
        ({"v1.rollout": "lots"}, "Enter a number from 0 to 100."),
        ({"g0.rollout": "150"}, "Enter a number from 0 to 100."),
        ({"v1.payload": "{not json"}, "Not valid JSON (strings need double quotes)."),
        ({"payload_true": "[1,"}, "Not valid JSON (strings need double quotes)."),
        ({"g0.p0.type": "group"}, "A group property needs its group type index (0-4)."),
        ({"g0.p0.operator": "gt", "g0.p0.value": "[1]"}, "Invalid value for operator gt: [1]"),
        ({"g0.p0.operator": "is_date_before", "g0.p0.value": "someday"}, "Invalid date value: someday"),
        ({"g0.variant": "nope"}, "Filters are not valid (variant override does not exist)"),
        ({"tags": "a", "evaluation_tags": "b"}, "Evaluation tags must be a subset of tags."),
        ({"aggregation": "x"}, "A group type index (0-4), or empty for persons."),
    ],
)
async def test_bad_input_is_shown_beside_its_field_and_nothing_is_stored(
    world: World, fields: dict[str, str], field_error: str
) -> None:
    csrf = await signed_in(world.client, world.user_id)
    answer = await _create(world, csrf, **fields)
    assert answer.status_code == 422
    assert any(field_error in message for message in field_errors(answer.text)), field_errors(answer.text)
    assert "Nothing was saved" in answer.text
    assert await _flags(world) == []
    # The form comes back as it was typed.
    for name, value in fields.items():
        if value and name not in {"g0.p0.type", "g0.p0.operator", "runtime"}:
            assert f'value="{value}"' in answer.text or f">{value}</textarea>" in answer.text, name


async def test_rolling_out_shows_in_the_history_and_a_stale_edit_is_a_conflict(world: World) -> None:
    csrf = await signed_in(world.client, world.user_id)
    created = await _create(world, csrf)
    edit_url = created.headers["location"].split("?")[0]
    page = (await world.client.get(edit_url)).text
    version = re.search(r'name="version" value="(\d+)"', page)
    assert version is not None
    rolled = {**GOOD, "csrf_token": csrf, "version": version.group(1), "g0.rollout": "50"}
    assert (await world.client.post(edit_url, data=rolled, follow_redirects=False)).status_code == 303
    history = await world.client.get(f"{edit_url}/history")
    assert re.search(r"filters\.groups\[0\]\.rollout_percentage</th><td>10(\.0)?</td><td>50(\.0)?</td>", history.text)
    assert "admin@flagcore.local" in history.text
    # A second edit from the page opened before the first save: refused, nothing overwritten.
    stale = {**rolled, "g0.rollout": "0", "name": "Mine"}
    conflict = await world.client.post(edit_url, data=stale, follow_redirects=False)
    assert conflict.status_code == 409
    assert "Someone else saved this flag first" in conflict.text
    assert 'value="Mine"' in conflict.text  # the user's edit is kept on the page to redo
    (flag,) = await _flags(world)
    assert flag["filters"]["groups"][0]["rollout_percentage"] == 50
    assert flag["name"] == "New checkout"


async def test_the_list_filters_sorts_and_pages_in_the_repository(world: World) -> None:
    for i in range(120):
        body = {
            "key": f"flag-{i:03d}",
            "active": i % 2 == 0,
            "tags": ["odd"] if i % 2 else [],
            "filters": {"groups": [{"properties": [], "rollout_percentage": 100}]},
        }
        assert (await world.client.post(world.url(), json=body, headers=world.auth())).status_code == 201
    await signed_in(world.client, world.user_id)
    base = f"/ui/projects/{world.project_id}/flags"
    first = await world.client.get(base)
    assert "120 flag(s)" in first.text
    assert "Page 1 of 3" in first.text
    assert first.text.count('<td><a href="/ui/projects/') == 50
    last = await world.client.get(f"{base}?order=-key&page=3")
    keys = re.findall(r">(flag-\d{3})</a>", last.text)
    assert (keys[0], keys[-1]) == ("flag-019", "flag-000")
    inactive = await world.client.get(f"{base}?active=false&search=flag-00")
    assert re.findall(r">(flag-\d{3})</a>", inactive.text) == [
        "flag-001",
        "flag-003",
        "flag-005",
        "flag-007",
        "flag-009",
    ]
    assert "badge-inactive" in inactive.text
    tagged = await world.client.get(f"{base}?tag=odd&runtime=all&type=boolean")
    assert "60 flag(s)" in tagged.text
    bad = await world.client.get(f"{base}?type=nonsense")
    assert bad.status_code == 200
    assert "type:" in bad.text  # the filter that could not be read is named


async def test_testing_a_user_shows_each_flags_value_and_reason(world: World) -> None:
    csrf = await signed_in(world.client, world.user_id)
    await _create(
        world, csrf, **{"g0.rollout": "100", "v0.rollout": "100", "v1.key": "", "v1.rollout": "", "v1.payload": ""}
    )
    page = f"/ui/projects/{world.project_id}/test-user"
    match = await world.client.post(
        page, data={"csrf_token": csrf, "distinct_id": "u1", "properties": '{"email": "a@acme.com"}'}
    )
    assert re.search(
        r'data-flag="checkout">\s*<td>checkout</td>\s*<td class="value">control</td>\s*<td>condition_match', match.text
    )
    other = await world.client.post(
        page, data={"csrf_token": csrf, "distinct_id": "u1", "properties": '{"email": "a@b.com"}'}
    )
    assert re.search(r'<td class="value">false</td>\s*<td>no_condition_match', other.text)
    for data, message in (
        ({"distinct_id": ""}, "This field is required."),
        ({"distinct_id": "u", "properties": "[1]"}, "Write a JSON object"),
    ):
        refused = await world.client.post(page, data={"csrf_token": csrf, **data})
        assert refused.status_code == 422
        assert any(message in m for m in field_errors(refused.text))


async def test_keys_are_shown_once_and_members_are_added_with_a_password(world: World) -> None:
    csrf = await signed_in(world.client, world.user_id)
    minted = await world.client.post(
        "/ui/keys", data={"csrf_token": csrf, "label": "ci", "scopes": "feature_flag:read"}
    )
    assert minted.status_code == 201
    value = re.search(r'id="minted-value">(phx_\w+)<', minted.text)
    assert value is not None
    assert value.group(1) not in (await world.client.get("/ui/keys")).text
    assert (await world.client.get(world.url(), headers=world.auth(value.group(1)))).status_code == 200
    refused = await world.client.post("/ui/keys", data={"csrf_token": csrf, "label": "", "scopes": ""})
    assert refused.status_code == 422
    secret = await world.client.post(
        f"/ui/projects/{world.project_id}/keys", data={"csrf_token": csrf, "label": "server"}
    )
    assert re.search(r'id="minted-value">phs_\w+<', secret.text)
    members = f"/ui/organizations/{world.organization_id}/members"
    short = await world.client.post(
        members, data={"csrf_token": csrf, "email": "new@example.com", "level": "1", "password": "short"}
    )
    assert short.status_code == 422
    assert "new@example.com" not in (await world.client.get(members)).text.split("Add a member")[0]
    added = await world.client.post(
        members,
        data={"csrf_token": csrf, "email": "new@example.com", "level": "1", "password": "a-long-password"},
        follow_redirects=False,
    )
    assert added.status_code == 303
    assert "new@example.com" in (await world.client.get(members)).text


async def test_an_admin_changes_a_members_level_and_removes_them(world: World) -> None:
    csrf = await signed_in(world.client, world.user_id)
    members = f"/ui/organizations/{world.organization_id}/members"
    data = {"csrf_token": csrf, "email": "m@example.com", "level": "1"}
    assert (await world.client.post(members, data=data, follow_redirects=False)).status_code == 303
    api = f"/api/organizations/{world.organization_id}/members/"
    listed = (await world.client.get(api, headers=world.auth())).json()["results"]
    uuid = next(m["user"]["uuid"] for m in listed if m["user"]["email"] == "m@example.com")
    bad = await world.client.post(f"{members}/{uuid}/level", data={"csrf_token": csrf, "level": "3"})
    assert bad.status_code == 422
    changed = await world.client.post(
        f"{members}/{uuid}/level", data={"csrf_token": csrf, "level": "8"}, follow_redirects=False
    )
    assert changed.status_code == 303
    listed = (await world.client.get(api, headers=world.auth())).json()["results"]
    assert next(m["level"] for m in listed if m["user"]["uuid"] == uuid) == 8
    removed = await world.client.post(f"{members}/{uuid}/remove", data={"csrf_token": csrf}, follow_redirects=False)
    assert removed.status_code == 303
    assert "m@example.com" not in (await world.client.get(api, headers=world.auth())).text


async def test_a_project_of_5000_flags_lists_a_page_quickly(world: World) -> None:
    assert world.flags is not None
    now = datetime.now(UTC)
    for i in range(5000):
        await world.flags.create(
            NewFlag(
                project_id=world.project_id,
                key=f"bulk-{i:04d}",
                name=f"Bulk {i}",
                filters=Filters(groups=[ConditionGroup(rollout_percentage=50)]),
                active=True,
                ensure_experience_continuity=False,
                evaluation_runtime="all",
                bucketing_identifier="distinct_id",
                is_remote_configuration=False,
                has_encrypted_payloads=False,
                tags=("bulk",) if i % 10 == 0 else (),
                evaluation_tags=(),
                created_at=now,
                created_by_id=None,
            )
        )
    await signed_in(world.client, world.user_id)
    base = f"/ui/projects/{world.project_id}/flags"
    for query in ("", "?order=-key&page=100", "?search=bulk-49&tag=bulk", "?active=STALE"):
        started = time.perf_counter()
        page = await world.client.get(f"{base}{query}")
        elapsed = time.perf_counter() - started
        assert page.status_code == 200
        assert elapsed < 2.0, (query, elapsed)  # generous: a loaded 2-core machine; a page reads 50 rows
    assert "5000 flag(s)" in (await world.client.get(base)).text
    assert (
        re.findall(r">(bulk-\d{4})</a>", (await world.client.get(f"{base}?order=-key&page=100")).text)[-1]
        == "bulk-0000"
    )


async def test_cohort_and_flag_conditions_are_offered_and_stored(world: World) -> None:
    cohort = await world.client.post(
        f"/api/projects/{world.project_id}/cohorts/",
        json={"name": "Beta testers", "is_static": True},
        headers=world.auth(),
    )
    assert cohort.status_code == 201, cohort.text
    csrf = await signed_in(world.client, world.user_id)
    base = await _create(
        world, csrf, key="base", **{"v0.key": "", "v0.rollout": "", "v1.key": "", "v1.rollout": "", "v1.payload": ""}
    )
    base_id = base.headers["location"].split("/")[-1].split("?")[0]
    page = await world.client.get(f"/ui/projects/{world.project_id}/flags/new")
    assert f'<option value="{cohort.json()["id"]}">Beta testers</option>' in page.text
    assert f'<option value="{base_id}">base</option>' in page.text
    fields = {
        "key": "dependent",
        "g0.p0.type": "cohort",
        "g0.p0.key": "",
        "g0.p0.operator": "in",
        "g0.p0.value": str(cohort.json()["id"]),
        "g0.p1.type": "flag",
        "g0.p1.key": base_id,
        "g0.p1.operator": "flag_evaluates_to",
        "g0.p1.value": "true",
        "v0.key": "",
        "v0.rollout": "",
        "v1.key": "",
        "v1.rollout": "",
        "v1.payload": "",
    }
    created = await _create(world, csrf, **fields)
    assert created.status_code == 303, field_errors(created.text)
    (flag,) = [f for f in await _flags(world) if f["key"] == "dependent"]
    assert flag["filters"]["groups"][0]["properties"] == [
        {"key": "id", "value": cohort.json()["id"], "operator": "in", "type": "cohort"},
        {"key": base_id, "value": True, "operator": "flag_evaluates_to", "type": "flag"},
    ]
    base_page = await world.client.get(f"/ui/projects/{world.project_id}/flags/{base_id}")
    assert ">dependent</a>" in base_page.text  # listed among the flags that depend on it


async def test_the_flag_page_draws_its_daily_calls(world: World) -> None:
    """``$feature_flag_called`` events captured through ``/batch`` become the flag page's calls-per-day picture."""
    await signed_in(world.client, world.user_id)
    body = {"key": "called-flag", "filters": {"groups": [{"properties": [], "rollout_percentage": 100}]}}
    flag_id = (await world.client.post(world.url(), json=body, headers=world.auth())).json()["id"]
    page = (await world.client.get(f"/ui/projects/{world.project_id}/flags/{flag_id}")).text
    assert "Calls per day, last 30 days" in page
    assert "<strong>0</strong>" in page
    now = datetime.now(UTC)
    yesterday = now - timedelta(days=1)
    await capture(world, called("called-flag", now), called("called-flag", now), called("called-flag", yesterday))
    await capture(world, called("other-flag", now))
    page = (await world.client.get(f"/ui/projects/{world.project_id}/flags/{flag_id}")).text
    assert "<strong>3</strong>" in page
    assert f"<title>{now.date().isoformat()}: 2</title>" in page
    assert f"<title>{yesterday.date().isoformat()}: 1</title>" in page
    assert len(re.findall(r'class="calls-bar"', page)) == 30
