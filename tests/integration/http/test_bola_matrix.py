"""BOLA matrix: every route of the app x every way of reaching another tenant -> 401/403/404, never data.

``ROUTES`` holds one entry per route (``"METHOD /path/template"`` as Litestar registers it). A route added to the
app without an entry fails ``test_every_route_has_a_matrix_entry``; a new route is covered by adding a ``Case``.

Scenarios, per target (see ``tests/integration/http/tenants.py`` for who is who):

- ``project`` routes: the key limited to project A on project B of the same organization; an unrestricted key of
  org A on org B's project C; org A's project path with the ids of project C's (and B's) items; project A's secret
  key on B and C; for routes that name their project by ``?token=``, the tokens of B and C.
- ``organization`` routes: the project-limited key on its own organization (refused: PostHog's rule); an
  unrestricted key and the organization-limited key on org B; org A's path with org B's member ids.
- ``user`` routes: another user's item ids (their personal keys).

Every refusal must be an error body (``{"type","code","detail","attr"}``), and no response of any scenario may
contain org B's identifiers (its id, project C's token, a flag key of C). Each route's own scenario runs last and
must succeed, so a route that refused everything would not pass.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final, Literal

import pytest

from tests.integration.http.capture_support import applied
from tests.integration.http.conftest import World
from tests.integration.http.tenants import Tenants, mint_key, tenants_of

Target = Literal["project", "organization", "user", "exempt"]
Item = (
    Literal[
        "flag",
        "remote_flag",
        "flag_key",
        "manifest_key",
        "cohort",
        "static_cohort",
        "person",
        "secret_key",
        "member",
        "personal_key",
        "policy",
        "throwaway_policy",
        "change_request",
        "scheduled_change",
    ]
    | None
)
OK: Final = frozenset({200, 201, 204})
REFUSED: Final = frozenset({401, 403, 404})
FILTERS: Final = {"groups": [{"properties": [], "rollout_percentage": 100}]}
COHORT_FILTERS: Final = {
    "properties": {"type": "AND", "values": [{"type": "person", "key": "plan", "operator": "exact", "value": "pro"}]}
}
CAPTURE_PATHS: Final = ("/batch", "/e", "/i/v0/e", "/capture", "/track", "/engage")
CAPTURE = "event capture: the public project token in the request is the only credential, as PostHog's capture"


@dataclass(frozen=True)
class Case:
    target: Target
    #: The JSON body, or a function of the scene giving it (bodies that name the tenants' ids).
    body: Any = None
    item: Item = None
    #: The query string; ``{flag}`` stands for project A's flag id.
    query: str = ""
    #: Statuses the route's own scenario may answer (flag DELETE is always 405, as PostHog's).
    own: frozenset[int] = OK
    #: The route names its project by ``?token=`` (the definitions feeds).
    token: bool = False
    #: Why an exempt route has no tenant to cross.
    reason: str = ""
    secret_key: bool = False
    #: Other answers that carry no data either (flag DELETE: 405 for any flag id, as PostHog answers).
    also_refused: frozenset[int] = frozenset()
    #: The route refuses in PostHog's own body for it (``status``: ``{"status": "unknown", ...}``), not the
    #: standard error body: only the status and the absence of another tenant's data are checked.
    own_refusal_body: bool = False
    #: The route names its project by ``?project_id=`` (the OpenFeature manifest API).
    project_query: bool = False


def exempt(reason: str) -> Case:
    return Case(target="exempt", reason=reason)


PUBLIC_TOKEN = "the public project token is the only credential; it selects the project (PostHog's /flags)"
NO_TENANT = "public or operator route: no tenant data"
SCHEMA = "the OpenAPI document: no tenant data"
UI = "admin UI page: session cookie, not a key; its cross-tenant refusals are tests/integration/http/test_ui_tenancy.py"
UI_PUBLIC = "admin UI sign-in and static files: no tenant data"
ARRAY = "public client configuration selected by the public token in the path, as /flags is"
LEGACY = "/api/feature_flag"


def legacy(case: Case) -> Case:
    """A project flag route mounted again as PostHog's legacy set: the project named by ``?token=``."""
    body = case.body
    if isinstance(body, dict) and "key" in body:  # a second create in the same project needs its own key
        body = {**body, "key": f"{body['key']}-legacy"}
    return Case(
        case.target,
        body=body,
        item=case.item,
        query=case.query,
        own=case.own,
        token=True,
        secret_key=case.secret_key,
        also_refused=case.also_refused,
        own_refusal_body=case.own_refusal_body,
    )


def _manifest(**fields: Any) -> Case:
    # The sync API refuses in its specification's error envelope.
    return Case("project", project_query=True, own_refusal_body=True, **fields)


def _static_members(scene: Scene) -> dict[str, Any]:
    return {"person_ids": [scene.person_uuids[scene.a]]}


def _scheduled(scene: Scene) -> dict[str, Any]:
    return {
        "record_id": str(scene.flags[scene.a]),
        "model_name": "FeatureFlag",
        "payload": {"operation": "update_status", "value": True},
        "scheduled_at": "2099-01-01T00:00:00Z",
    }


def _static_member(scene: Scene) -> dict[str, Any]:
    return {"person_id": scene.person_uuids[scene.a]}


def _copy_body(scene: Scene) -> dict[str, Any]:
    return {"feature_flag_key": "ours", "from_project": scene.a, "target_project_ids": [scene.b]}


# The owner's own change request: the first action of the scene on it (approve, self-approval allowed) applies
# it, so the later ones are refused by its state (403 from the permission check) and carry no data either.
_ACTED = frozenset({200, 403})


def _approval_routes(prefix: str, create_action: str) -> dict[str, Case]:
    base = f"{prefix}/{{project_id:str}}"
    requests, policies = f"{base}/change_requests", f"{base}/approval_policies"
    return {
        f"GET {requests}": Case("project"),
        f"GET {requests}/{{request_id:str}}": Case("project", item="change_request"),
        **{
            f"POST {requests}/{{request_id:str}}/{action}": Case(
                "project", item="change_request", body={"reason": "matrix"}, own=_ACTED
            )
            for action in ("approve", "reject", "cancel")
        },
        f"GET {policies}": Case("project"),
        f"POST {policies}": Case("project", body={"action_key": create_action, "approver_config": {"quorum": 1}}),
        f"GET {policies}/{{policy_id:str}}": Case("project", item="policy"),
        f"PATCH {policies}/{{policy_id:str}}": Case("project", item="policy", body={"enabled": True}),
        f"PUT {policies}/{{policy_id:str}}": Case(
            "project", item="policy", body={"action_key": "feature_flag.enable", "enabled": True}
        ),
        # two mounts delete: the /api/environments one deletes A's organization-wide policy
        f"DELETE {policies}/{{policy_id:str}}": Case(
            "project", item="throwaway_policy" if prefix == "/api/environments" else "policy"
        ),
    }


_PROJECT_FLAG_ROUTES: Final[dict[str, Case]] = {
    "GET /api/projects/{project_id:str}/feature_flags": Case("project"),
    "POST /api/projects/{project_id:str}/feature_flags": Case("project", body={"key": "bola-new", "filters": FILTERS}),
    "GET /api/projects/{project_id:str}/feature_flags/{flag_id:int}": Case("project", item="flag"),
    "PATCH /api/projects/{project_id:str}/feature_flags/{flag_id:int}": Case(
        "project", item="flag", body={"name": "renamed"}
    ),
    "PUT /api/projects/{project_id:str}/feature_flags/{flag_id:int}": Case(
        "project", item="flag", body={"key": "bola-put", "filters": FILTERS}
    ),
    "DELETE /api/projects/{project_id:str}/feature_flags/{flag_id:int}": Case(
        "project", item="flag", own=frozenset({405}), also_refused=frozenset({405})
    ),
    "GET /api/projects/{project_id:str}/feature_flags/my_flags": Case("project"),
    "GET /api/projects/{project_id:str}/feature_flags/evaluation_reasons": Case("project", query="distinct_id=u1"),
    "GET /api/projects/{project_id:str}/feature_flags/activity": Case("project"),
    "GET /api/projects/{project_id:str}/feature_flags/matching_ids": Case("project"),
    "GET /api/projects/{project_id:str}/feature_flags/{flag_id:int}/activity": Case("project", item="flag"),
    "GET /api/projects/{project_id:str}/feature_flags/{flag_id:int}/dependent_flags": Case("project", item="flag"),
    "GET /api/projects/{project_id:str}/feature_flags/{flag_id:int}/status": Case(
        "project", item="flag", own_refusal_body=True
    ),
    "GET /api/projects/{project_id:str}/feature_flags/{flag_id:str}/remote_config": Case(
        "project", item="remote_flag", secret_key=True, own_refusal_body=True
    ),
    "POST /api/projects/{project_id:str}/feature_flags/bulk_keys": Case("project", body={"ids": [1]}),
    "POST /api/projects/{project_id:str}/feature_flags/bulk_delete": Case("project", body={"ids": [999999]}),
    "POST /api/projects/{project_id:str}/feature_flags/user_blast_radius": Case(
        "project", body={"condition": {"properties": []}}
    ),
    "POST /api/projects/{project_id:str}/feature_flags/{flag_id:int}/create_static_cohort_for_flag": Case(
        "project", item="flag"
    ),
}

_OTHER_FLAG_ROUTES: Final[dict[str, Case]] = {
    "GET /api/projects/{project_id:str}/flag_value/values": Case("project", query="key={flag}"),
    "GET /api/organizations/{organization_id:str}/feature_flags/{key:str}": Case(
        # org B's flag key through org A is a key no project of A has: an empty list, no data
        "organization",
        item="flag_key",
        also_refused=frozenset({200}),
        own_refusal_body=True,
    ),
    "POST /api/organizations/{organization_id:str}/feature_flags/copy_flags": Case("organization", body=_copy_body),
}

ROUTES: Final[dict[str, Case]] = {
    # operations and evaluation
    "GET /_health": exempt(NO_TENANT),
    "GET /_ready": exempt(NO_TENANT),
    "GET /_status": exempt(NO_TENANT),
    "GET /metrics": exempt(NO_TENANT),
    "GET /flags": exempt(PUBLIC_TOKEN),
    "POST /flags": exempt(PUBLIC_TOKEN),
    "GET /decide": exempt(PUBLIC_TOKEN),
    "POST /decide": exempt(PUBLIC_TOKEN),
    "GET /schema": exempt(SCHEMA),
    "GET /schema/swagger": exempt(SCHEMA),
    "GET /schema/openapi.json": exempt(SCHEMA),
    "GET /schema/{path:str}": exempt(SCHEMA),
    "GET /schema/assets/{file_path:path}": exempt(SCHEMA),
    "GET /ui/sign-in": exempt(UI_PUBLIC),
    "POST /ui/sign-in": exempt(UI_PUBLIC),
    "GET /ui/static/{file_path:path}": exempt(UI_PUBLIC),
    "POST /ui/sign-out": exempt(UI),
    "GET /ui": exempt(UI),
    "GET /ui/projects/{project_id:int}/flags": exempt(UI),
    "GET /ui/keys": exempt(UI),
    "GET /ui/organizations/{organization_id:str}/members": exempt(UI),
    "GET /ui/projects/{project_id:int}/flags/new": exempt(UI),
    "GET /ui/projects/{project_id:int}/flags/{flag_id:int}": exempt(UI),
    "GET /ui/projects/{project_id:int}/flags/{flag_id:int}/history": exempt(UI),
    "GET /ui/projects/{project_id:int}/keys": exempt(UI),
    "GET /ui/projects/{project_id:int}/test-user": exempt(UI),
    "GET /ui/projects/{project_id:int}/change-requests": exempt(UI),
    "GET /ui/projects/{project_id:int}/change-requests/{request_id:str}": exempt(UI),
    "POST /ui/projects/{project_id:int}/change-requests/{request_id:str}/approve": exempt(UI),
    "POST /ui/projects/{project_id:int}/change-requests/{request_id:str}/reject": exempt(UI),
    "POST /ui/projects/{project_id:int}/change-requests/{request_id:str}/cancel": exempt(UI),
    "POST /ui/keys": exempt(UI),
    "POST /ui/keys/{key_id:str}/delete": exempt(UI),
    "POST /ui/organizations/{organization_id:str}/members": exempt(UI),
    "POST /ui/organizations/{organization_id:str}/members/{user_uuid:str}/remove": exempt(UI),
    "POST /ui/organizations/{organization_id:str}/members/{user_uuid:str}/level": exempt(UI),
    "POST /ui/projects/{project_id:int}/flags/new": exempt(UI),
    "POST /ui/projects/{project_id:int}/flags/{flag_id:int}": exempt(UI),
    "POST /ui/projects/{project_id:int}/keys": exempt(UI),
    "POST /ui/projects/{project_id:int}/keys/{key_id:str}/revoke": exempt(UI),
    "POST /ui/projects/{project_id:int}/test-user": exempt(UI),
    "GET /array/{token:str}/config": exempt(ARRAY),
    "GET /array/{token:str}/config.js": exempt(ARRAY),
    "GET /array/{token:str}/array.js": exempt(ARRAY),
    # project flag routes
    **_PROJECT_FLAG_ROUTES,
    **_OTHER_FLAG_ROUTES,
    "GET /api/projects/{project_id:str}/feature_flags/local_evaluation": Case("project", token=True, secret_key=True),
    "GET /api/projects/{project_id:str}/groups_types": Case("project"),
    "POST /api/projects/{project_id:str}/groups_types": Case("project", body={"group_type": "company"}),
    "PATCH /api/projects/{project_id:str}/groups_types/update_metadata": Case("project", body=[]),
    # definitions feeds that name their project by ?token= (or the caller's current project / secret key)
    "GET /flags/definitions": Case("project", token=True, secret_key=True),
    "GET /api/feature_flag/local_evaluation": Case("project", token=True, secret_key=True),
    # PostHog's legacy flag routes: the project flag set again, the project named by ?token=
    **{
        route.replace("/api/projects/{project_id:str}/feature_flags", LEGACY): legacy(case)
        for route, case in _PROJECT_FLAG_ROUTES.items()
    },
    # projects
    "GET /api/projects/{project_id:str}": Case("project"),
    "PATCH /api/projects/{project_id:str}": Case("project", body={"name": "Renamed"}),
    "PATCH /api/projects/{project_id:str}/reset_token": Case("project"),
    "GET /api/projects/{project_id:str}/project_secret_api_keys": Case("project"),
    "POST /api/projects/{project_id:str}/project_secret_api_keys": Case("project", body={"label": "bola"}),
    "DELETE /api/projects/{project_id:str}/project_secret_api_keys/{key_id:str}": Case("project", item="secret_key"),
    # organizations
    "GET /api/organizations": Case("user"),
    "POST /api/organizations": Case("user", body={"name": "Bola Org"}),
    "GET /api/organizations/{organization_id:str}": Case("organization"),
    "PATCH /api/organizations/{organization_id:str}": Case("organization", body={"name": "Renamed"}),
    "GET /api/organizations/{organization_id:str}/projects": Case("organization"),
    "POST /api/organizations/{organization_id:str}/projects": Case("organization", body={"name": "Bola Project"}),
    "GET /api/organizations/{organization_id:str}/members": Case("organization"),
    "POST /api/organizations/{organization_id:str}/members": Case("organization", body={"email": "bola@example.com"}),
    "PATCH /api/organizations/{organization_id:str}/members/{user_uuid:str}": Case(
        "organization", item="member", body={"level": 1}
    ),
    "DELETE /api/organizations/{organization_id:str}/members/{user_uuid:str}": Case("organization", item="member"),
    "GET /api/organizations/{organization_id:str}/quota": Case("organization"),
    # persons, groups, cohorts; capture
    **{f"{method} {path}": exempt(CAPTURE) for method in ("GET", "POST") for path in CAPTURE_PATHS},
    "GET /api/projects/{project_id:str}/persons": Case("project"),
    "GET /api/projects/{project_id:str}/persons/{person_id:int}": Case("project", item="person"),
    "DELETE /api/projects/{project_id:str}/persons/{person_id:int}": Case("project", item="person"),
    "GET /api/projects/{project_id:str}/groups": Case("project", query="group_type_index=0"),
    "GET /api/projects/{project_id:str}/cohorts": Case("project"),
    "POST /api/projects/{project_id:str}/cohorts": Case("project", body={"name": "bola", "filters": COHORT_FILTERS}),
    "GET /api/projects/{project_id:str}/cohorts/{cohort_id:int}": Case("project", item="cohort"),
    "PATCH /api/projects/{project_id:str}/cohorts/{cohort_id:int}": Case("project", item="cohort", body={"name": "r"}),
    "PUT /api/projects/{project_id:str}/cohorts/{cohort_id:int}": Case(
        "project", item="cohort", body={"name": "r", "filters": COHORT_FILTERS}
    ),
    "DELETE /api/projects/{project_id:str}/cohorts/{cohort_id:int}": Case(
        "project", item="cohort", own=frozenset({405}), also_refused=frozenset({405})
    ),
    "GET /api/projects/{project_id:str}/cohorts/{cohort_id:int}/persons": Case("project", item="static_cohort"),
    "PATCH /api/projects/{project_id:str}/cohorts/{cohort_id:int}/add_persons_to_static_cohort": Case(
        "project", item="static_cohort", body=_static_members
    ),
    "PATCH /api/projects/{project_id:str}/cohorts/{cohort_id:int}/remove_person_from_static_cohort": Case(
        "project", item="static_cohort", body=_static_member
    ),
    "GET /api/projects/{project_id:str}/scheduled_changes": Case("project", query="record_id={flag}"),
    "POST /api/projects/{project_id:str}/scheduled_changes": Case("project", body=_scheduled),
    "GET /api/projects/{project_id:str}/scheduled_changes/{change_id:int}": Case("project", item="scheduled_change"),
    "PATCH /api/projects/{project_id:str}/scheduled_changes/{change_id:int}": Case(
        "project", item="scheduled_change", body={"payload": {"operation": "update_status", "value": False}}
    ),
    "PUT /api/projects/{project_id:str}/scheduled_changes/{change_id:int}": Case(
        "project", item="scheduled_change", body=_scheduled
    ),
    "DELETE /api/projects/{project_id:str}/scheduled_changes/{change_id:int}": Case("project", item="scheduled_change"),
    # OpenFeature: OFREP evaluates by the public token; the manifest API names its project by ?project_id=
    "POST /ofrep/v1/evaluate/flags": exempt(PUBLIC_TOKEN),
    "POST /ofrep/v1/evaluate/flags/{key:str}": exempt(PUBLIC_TOKEN),
    "GET /openfeature/v0/manifest": _manifest(),
    "POST /openfeature/v0/manifest/flags": _manifest(
        body={"key": "bola-manifest", "type": "boolean", "defaultValue": False}
    ),
    "PUT /openfeature/v0/manifest/flags/{key:str}": _manifest(
        # the body names A's key: with B's or C's key in the path it is refused as a mismatch (400, no data)
        item="manifest_key",
        body={"key": "ours-manifest", "type": "boolean", "defaultValue": False},
        also_refused=frozenset({400}),
    ),
    # Archiving disables the flag: once the approval routes' own scenario turned the scene's policy into a disable
    # policy, the archive is gated (409 with the change request, in the sync API's envelope).
    "DELETE /openfeature/v0/manifest/flags/{key:str}": _manifest(item="manifest_key", own=OK | {409}),
    "POST /openfeature/v0/manifest/sync": _manifest(body={"flags": [], "dryRun": True}),
    **{
        route: case
        for prefix, action in (("/api/projects", "feature_flag.disable"), ("/api/environments", "feature_flag.update"))
        for route, case in _approval_routes(prefix, action).items()
    },
    "PUT /api/organizations/{organization_id:str}/quota": Case(
        "organization", body={"feature_flag_requests": {"limit": 1000000}}
    ),
    # the caller's own
    "GET /api/users/@me": Case("user"),
    "GET /api/personal_api_keys": Case("user"),
    "POST /api/personal_api_keys": Case("user", body={"label": "bola", "scopes": ["feature_flag:read"]}),
    "GET /api/personal_api_keys/{key_id:str}": Case("user", item="personal_key"),
    "DELETE /api/personal_api_keys/{key_id:str}": Case("user", item="personal_key"),
}


def app_routes(app: Any) -> set[str]:
    found = set()
    for route in app.routes:
        for handler in getattr(route, "route_handlers", ()):
            found.update(
                f"{method} {route.path}" for method in handler.http_methods if method not in {"OPTIONS", "HEAD"}
            )
    return found


@dataclass
class Scene:
    """Tenants plus one item of each kind per project or organization (A's throwaway ones for the own deletes)."""

    t: Tenants
    flags: dict[int, int] = field(default_factory=dict)
    secret_keys: dict[int, str] = field(default_factory=dict)
    tokens: dict[int, str] = field(default_factory=dict)
    foreign_flag_key: str = "theirs-only"
    cohorts: dict[int, int] = field(default_factory=dict)
    static_cohorts: dict[int, int] = field(default_factory=dict)
    persons: dict[int, int] = field(default_factory=dict)
    scheduled_changes: dict[int, int] = field(default_factory=dict)
    person_uuids: dict[int, str] = field(default_factory=dict)
    #: A remote-configuration flag of project A (``remote_config`` answers only for those).
    remote_flag: int = 0
    other_owner_uuid: str = ""
    throwaway_member: str = ""
    own_key_id: str = ""
    other_key_id: str = ""
    policies: dict[int, str] = field(default_factory=dict)
    organization_policy: str = ""
    change_requests: dict[int, str] = field(default_factory=dict)
    other_secret: str = ""

    @property
    def a(self) -> int:
        return self.t.world.project_id

    @property
    def b(self) -> int:
        return self.t.project_b

    @property
    def c(self) -> int:
        return self.t.world.other_project_id

    def leaks(self, key: str) -> tuple[str, ...]:
        """What no response to ``key`` may contain: org B's data; for the key limited to A, project B's too."""
        theirs = (self.t.other_org_id, self.tokens[self.c], self.foreign_flag_key, self.other_secret)
        return (*theirs, self.tokens[self.b], "b-only") if key == self.t.team_key else theirs


async def build_scene(t: Tenants) -> Scene:
    scene = Scene(t)
    client, w = t.client, t.world
    for project, key, flag_key in (
        (scene.a, w.admin_key, "ours"),
        (scene.b, w.admin_key, "b-only"),
        (scene.c, w.other_key, scene.foreign_flag_key),
    ):
        flag = await client.post(
            f"/api/projects/{project}/feature_flags/", json={"key": flag_key, "filters": FILTERS}, headers=t.auth(key)
        )
        assert flag.status_code == 201, flag.text
        scene.flags[project] = flag.json()["id"]
        minted = await client.post(
            f"/api/projects/{project}/project_secret_api_keys/", json={"label": "matrix"}, headers=t.auth(key)
        )
        assert minted.status_code == 201, minted.text
        scene.secret_keys[project] = minted.json()["id"]
        if project == scene.c:
            scene.other_secret = minted.json()["value"]
        scene.tokens[project] = (await client.get(f"/api/projects/{project}/", headers=t.auth(key))).json()["api_token"]
        await _persons_and_cohorts(scene, project, key)
        await _approvals(scene, project, key)
        scheduled = await client.post(
            f"/api/projects/{project}/scheduled_changes/",
            json={**_scheduled(scene), "record_id": str(scene.flags[project])},
            headers=t.auth(key),
        )
        assert scheduled.status_code == 201, scheduled.text
        scene.scheduled_changes[project] = scheduled.json()["id"]
    remote = await client.post(
        f"/api/projects/{scene.a}/feature_flags/",
        json={
            "key": "ours-remote",
            "is_remote_configuration": True,
            "filters": {"groups": [{"rollout_percentage": 100}], "payloads": {"true": '{"ok": true}'}},
        },
        headers=t.auth(),
    )
    assert remote.status_code == 201, remote.text
    manifest_flag = await client.post(
        f"/api/projects/{scene.a}/feature_flags/",
        json={"key": "ours-manifest", "filters": FILTERS},
        headers=t.auth(),
    )
    assert manifest_flag.status_code == 201, manifest_flag.text
    scene.remote_flag = remote.json()["id"]
    members = await client.get(f"/api/organizations/{t.other_org_id}/members/", headers=t.auth(w.other_key))
    scene.other_owner_uuid = members.json()["results"][0]["user"]["uuid"]
    added = await client.post(
        f"/api/organizations/{t.org_id}/members/", json={"email": "throwaway@example.com"}, headers=t.auth()
    )
    scene.throwaway_member = added.json()["user"]["uuid"]
    scene.own_key_id = (await mint_key(w, label="throwaway"))["id"]
    scene.other_key_id = (await mint_key(w, w.other_key, label="theirs"))["id"]
    return scene


async def _persons_and_cohorts(scene: Scene, project: int, key: str) -> None:
    t = scene.t
    batch = {
        "api_key": scene.tokens[project],
        "batch": [{"event": "$set", "distinct_id": f"p{project}", "$set": {"a": 1}}],
    }
    assert (await t.client.post("/batch", json=batch)).status_code == 200
    await applied(t.world)
    persons = await t.client.get(f"/api/projects/{project}/persons/", headers=t.auth(key))
    scene.persons[project] = persons.json()["results"][0]["id"]
    scene.person_uuids[project] = persons.json()["results"][0]["uuid"]
    for table, body in (
        (scene.cohorts, {"name": "matrix", "filters": COHORT_FILTERS}),
        (scene.static_cohorts, {"name": "matrix static", "is_static": True}),
    ):
        made = await t.client.post(f"/api/projects/{project}/cohorts/", json=body, headers=t.auth(key))
        assert made.status_code == 201, made.text
        table[project] = made.json()["id"]


async def _approvals(scene: Scene, project: int, key: str) -> None:
    """An enable policy the key's owner approves (self-approval on), and a change request made by enabling a flag."""
    t = scene.t
    me = (await t.client.get("/api/users/@me/", headers=t.auth(key))).json()["id"]
    body = {"action_key": "feature_flag.enable", "approver_config": {"users": [me]}, "allow_self_approve": True}
    made = await t.client.post(f"/api/projects/{project}/approval_policies/", json=body, headers=t.auth(key))
    assert made.status_code == 201, made.text
    scene.policies[project] = made.json()["id"]
    if project == scene.a:
        wide = {**body, "organization_wide": True}
        made = await t.client.post(f"/api/projects/{project}/approval_policies/", json=wide, headers=t.auth(key))
        assert made.status_code == 201, made.text
        scene.organization_policy = made.json()["id"]
    flag = await t.client.post(
        f"/api/projects/{project}/feature_flags/",
        json={"key": f"gated-{project}", "active": False, "filters": FILTERS},
        headers=t.auth(key),
    )
    gated = await t.client.patch(
        f"/api/projects/{project}/feature_flags/{flag.json()['id']}/", json={"active": True}, headers=t.auth(key)
    )
    assert gated.status_code == 409, gated.text
    scene.change_requests[project] = gated.json()["change_request_id"]


def render(template: str, *, project: int | None = None, org: str | None = None, item: str | None = None) -> str:
    path = template.replace("{project_id:str}", str(project)).replace("{organization_id:str}", str(org))
    for placeholder in (
        "{flag_id:int}",
        "{flag_id:str}",
        "{key:str}",
        "{key_id:str}",
        "{user_uuid:str}",
        "{cohort_id:int}",
        "{person_id:int}",
        "{policy_id:str}",
        "{request_id:str}",
        "{change_id:int}",
    ):
        path = path.replace(placeholder, str(item))
    return path + "/"


def item_of(scene: Scene, case: Case, *, project: int | None = None, foreign: bool = False) -> str | None:
    if case.item == "flag":
        return str(scene.flags[project or scene.a])
    if case.item == "remote_flag":
        return str(scene.remote_flag) if (project or scene.a) == scene.a else str(scene.flags[project])
    if case.item in {"cohort", "static_cohort", "person", "scheduled_change"}:
        table = {
            "cohort": scene.cohorts,
            "static_cohort": scene.static_cohorts,
            "person": scene.persons,
            "scheduled_change": scene.scheduled_changes,
        }[case.item]
        return str(table[project or scene.a])
    if case.item == "manifest_key" and (project or scene.a) == scene.a and not foreign:
        return "ours-manifest"
    if case.item in {"flag_key", "manifest_key"}:
        if foreign:
            return scene.foreign_flag_key
        return {scene.b: "b-only", scene.c: scene.foreign_flag_key}.get(project or scene.a, "ours")
    if case.item == "throwaway_policy" and (project or scene.a) == scene.a:
        return scene.organization_policy
    if case.item in {"policy", "throwaway_policy"}:
        return scene.policies[project or scene.a]
    if case.item == "change_request":
        return scene.change_requests[project or scene.a]
    if case.item == "secret_key":
        return scene.secret_keys[project or scene.a]
    if case.item == "member":
        return scene.other_owner_uuid if foreign else scene.throwaway_member
    if case.item == "personal_key":
        return scene.other_key_id if foreign else scene.own_key_id
    return None


Attempt = tuple[str, str, str, str]  # (what, method, url, key)


def refusals(scene: Scene, method: str, template: str, case: Case) -> list[Attempt]:
    t, w = scene.t, scene.t.world
    out: list[Attempt] = []
    query = _query(scene, case)
    if case.target == "project":
        has_path = "{project_id:str}" in template or case.project_query
        if has_path:
            for who, project, key in (
                ("project-limited key on B", scene.b, t.team_key),
                ("org A key on org B's C", scene.c, w.admin_key),
                ("org A key on C", scene.c, t.org_key),
            ):
                item = item_of(scene, case, project=project)
                url = render(template, project=project, item=item) + _query(scene, case, project=project)
                out.append((who, method, url, key))
            if case.item is not None:
                for project in (scene.b, scene.c):
                    url = render(template, project=scene.a, item=item_of(scene, case, project=project)) + query
                    # project B's items through A's path: not found (the team key may reach A, not B's items)
                    out.append(
                        (
                            f"{project}'s item through A",
                            method,
                            url,
                            w.admin_key if project == scene.c else t.team_key,
                        )
                    )
            if case.secret_key:
                out.extend(
                    (
                        f"A's secret key on {project}",
                        method,
                        render(template, project=project) + _query(scene, case, project=project),
                        w.secret_key,
                    )
                    for project in (scene.b, scene.c)
                )
        if case.token:
            base = render(template, project=scene.a, item=item_of(scene, case))
            for who, project, key in (
                ("project-limited key, B's token", scene.b, t.team_key),
                ("org A key, C's token", scene.c, w.admin_key),
                ("A's secret key, C's token", scene.c, w.secret_key),
                ("A's secret key, B's token", scene.b, w.secret_key),
            ):
                out.append((who, method, base + _query(scene, case, token=scene.tokens[project]), key))
    elif case.target == "organization":
        out.append(
            (
                "project-limited key on its org",
                method,
                render(template, org=t.org_id, item=item_of(scene, case)),
                t.team_key,
            )
        )
        for who, key in (("org A key on org B", w.admin_key), ("org-limited key on org B", t.org_key)):
            out.append(
                (who, method, render(template, org=t.other_org_id, item=item_of(scene, case, foreign=True)), key)
            )
        if case.item is not None:
            out.append(
                (
                    "org B's member through org A",
                    method,
                    render(template, org=t.org_id, item=item_of(scene, case, foreign=True)),
                    w.admin_key,
                )
            )
        out.append(("a secret key", method, render(template, org=t.org_id, item=item_of(scene, case)), w.secret_key))
    elif case.target == "user":
        if case.item is not None:
            out.append(
                ("another user's item", method, render(template, item=item_of(scene, case, foreign=True)), w.admin_key)
            )
        out.append(("a secret key", method, render(template, item=item_of(scene, case)), w.secret_key))
    return out


def _query(scene: Scene, case: Case, *, token: str | None = None, project: int | None = None) -> str:
    parts = [case.query.replace("{flag}", str(scene.flags[scene.a]))] if case.query else []
    if case.project_query:
        parts.append(f"project_id={project or scene.a}")
    if token is not None:
        parts.append(f"token={token}")
    return f"?{'&'.join(parts)}" if parts else ""


def own_attempt(scene: Scene, method: str, template: str, case: Case) -> Attempt:
    t = scene.t
    query = _query(scene, case)
    if case.target == "project":
        if "{project_id:str}" not in template:
            url = render(template, item=item_of(scene, case)) + _query(scene, case, token=scene.tokens[scene.a])
            return ("own", method, url, t.team_key)
        return ("own", method, render(template, project=scene.a, item=item_of(scene, case)) + query, t.team_key)
    if case.target == "organization":
        return ("own", method, render(template, org=t.org_id, item=item_of(scene, case)), t.org_key)
    # User routes act on the caller's own resources; POST /api/organizations/ refuses tenant-limited keys by design.
    url = render(template, item=item_of(scene, case)) if "{" in template else template + "/"
    return ("own", method, url, t.world.admin_key)


async def send(scene: Scene, attempt: Attempt, case: Case) -> Any:
    _, method, url, key = attempt
    kwargs: dict[str, Any] = {"headers": scene.t.auth(key)}
    if case.body is not None:
        kwargs["json"] = case.body(scene) if callable(case.body) else case.body
    return await scene.t.client.request(method, url, **kwargs)


def _keys(response: Any) -> set[str]:
    try:
        body = response.json()
    except ValueError:
        return set()
    return set(body) if isinstance(body, dict) else set()


def test_every_route_has_a_matrix_entry() -> None:
    from flagcore.app.main import create_app  # noqa: PLC0415
    from flagcore.app.settings import Settings  # noqa: PLC0415

    routes = app_routes(create_app(settings=Settings(database_url="memory://")))
    missing = sorted(routes - set(ROUTES))
    assert not missing, f"routes without a BOLA matrix entry (add a Case to ROUTES): {missing}"
    assert not sorted(set(ROUTES) - routes), "ROUTES names routes the app no longer has"
    assert all(case.reason for case in ROUTES.values() if case.target == "exempt")


@pytest.fixture
async def scene(world: World) -> Scene:
    return await build_scene(await tenants_of(world))


async def test_no_route_reaches_another_tenant(scene: Scene) -> None:
    tested = 0
    failures: list[str] = []
    for route in sorted(app_routes(scene.t.client.app)):
        method, template = route.split(" ", 1)
        case = ROUTES[route]
        for attempt in refusals(scene, method, template, case):
            response = await send(scene, attempt, case)
            tested += 1
            refused = REFUSED | case.also_refused
            error_body = case.own_refusal_body or _keys(response) == {"type", "code", "detail", "attr"}
            if response.status_code not in refused or not error_body:
                failures.append(f"{route} [{attempt[0]}] {attempt[2]} -> {response.status_code} {response.text[:200]}")
            elif any(leak in response.text for leak in scene.leaks(attempt[3]) if leak not in attempt[2]):
                # (a value the request itself sent, such as a flag key in the path, may be echoed back)
                failures.append(f"{route} [{attempt[0]}] leaks another tenant's data: {response.text[:200]}")
    # Listings of the caller's own (organizations, @me, keys) through limited keys: served, within their limits.
    for route in sorted(app_routes(scene.t.client.app)):
        method, template = route.split(" ", 1)
        if ROUTES[route].target != "user" or method != "GET" or "{" in template:
            continue
        for key in (scene.t.team_key, scene.t.org_key):
            response = await scene.t.client.get(f"{template}/", headers=scene.t.auth(key))
            if response.status_code != 200 or any(leak in response.text for leak in scene.leaks(key)):
                failures.append(
                    f"{route} [listing through a limited key] -> {response.status_code} {response.text[:200]}"
                )
    # Each route's own scenario last (deletes at the very end): the refusals above must have changed nothing.
    for route in sorted(app_routes(scene.t.client.app), key=lambda r: (r.startswith("DELETE"), r)):
        method, template = route.split(" ", 1)
        case = ROUTES[route]
        if case.target == "exempt":
            continue
        if "token=" in own_attempt(scene, method, template, case)[2]:
            scene.tokens[scene.a] = (
                await scene.t.client.get(f"/api/projects/{scene.a}/", headers=scene.t.auth())
            ).json()["api_token"]
        attempt = own_attempt(scene, method, template, case)
        response = await send(scene, attempt, case)
        if response.status_code not in case.own:
            failures.append(f"{route} [own] {attempt[2]} -> {response.status_code} {response.text[:200]}")
        elif any(leak in response.text for leak in scene.leaks(attempt[3])):
            failures.append(f"{route} [own] leaks another tenant's data: {response.text[:200]}")
    assert not failures, "\n".join(failures)
    assert tested > 100
