"""Route sets mount under several prefixes with unique operation ids, and name their project by their own rule."""

from __future__ import annotations

from litestar import Litestar

from flagcore.app.http.auth import LEGACY_PROJECT, project_ref
from flagcore.app.http.routes import route_set
from flagcore.app.identity.authorize import ProjectRef
from flagcore.app.main import project_flag_routes
from flagcore.domain.identity import CURRENT


def _operations(app: Litestar) -> dict[str, str]:
    schema = app.openapi_schema.to_schema()
    return {
        operation["operationId"]: f"{method.upper()} {path}"
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if isinstance(operation, dict) and "operationId" in operation
    }


def test_the_flag_routes_mount_twice_with_unique_operation_ids() -> None:
    app = Litestar(
        route_handlers=[
            route_set("/api/projects/{project_id:str}/feature_flags", project_flag_routes()),
            route_set(
                "/api/feature_flag", project_flag_routes(), project_ref=LEGACY_PROJECT, operation_prefix="legacy_"
            ),
        ]
    )
    operations = _operations(app)
    assert operations["feature_flags_list"] == "GET /api/projects/{project_id}/feature_flags"
    assert operations["legacy_feature_flags_list"] == "GET /api/feature_flag"
    assert operations["legacy_feature_flags_partial_update"] == "PATCH /api/feature_flag/{flag_id}"
    # Every operation of one mount has its twin in the other, and none is shared.
    plain = {op for op in operations if not op.startswith("legacy_")}
    assert {f"legacy_{op}" for op in plain} == set(operations) - plain


def test_a_path_set_names_its_project_by_the_path_and_a_legacy_set_by_the_key_owner_or_token() -> None:
    assert project_ref({}, {"project_id": "7"}, {"token": "phc_x"}) == ProjectRef(path="7")
    assert project_ref({}, {"project_id": "7"}, {"token": "phc_x"}, token_wins=True) == ProjectRef(
        path="7", token="phc_x"
    )
    legacy = {"project_ref": LEGACY_PROJECT}
    assert project_ref(legacy, {}, {}) == ProjectRef(path=CURRENT)
    assert project_ref(legacy, {}, {"token": "phc_x"}) == ProjectRef(path=CURRENT, token="phc_x")
    assert project_ref({}, {}, {"api_key": "phc_y"}) == ProjectRef(path=CURRENT, token="phc_y")


ISSUE_9_OPERATIONS = {
    "feature_flags_status": "GET /api/projects/{project_id}/feature_flags/{flag_id}/status",
    "feature_flags_dependent_flags": "GET /api/projects/{project_id}/feature_flags/{flag_id}/dependent_flags",
    "feature_flags_bulk_keys": "POST /api/projects/{project_id}/feature_flags/bulk_keys",
    "feature_flags_matching_ids": "GET /api/projects/{project_id}/feature_flags/matching_ids",
    "feature_flags_bulk_delete": "POST /api/projects/{project_id}/feature_flags/bulk_delete",
    "feature_flags_all_activity": "GET /api/projects/{project_id}/feature_flags/activity",
    "feature_flags_activity": "GET /api/projects/{project_id}/feature_flags/{flag_id}/activity",
    "feature_flags_remote_config": "GET /api/projects/{project_id}/feature_flags/{flag_id}/remote_config",
    "legacy_feature_flags_local_evaluation": "GET /api/feature_flag/local_evaluation",
    "legacy_feature_flags_bulk_delete": "POST /api/feature_flag/bulk_delete",
    "flag_value_values": "GET /api/projects/{project_id}/flag_value/values",
    "organization_feature_flags_retrieve": "GET /api/organizations/{organization_id}/feature_flags/{key}",
    "organization_feature_flags_copy_flags": "POST /api/organizations/{organization_id}/feature_flags/copy_flags",
    "remote_config": "GET /array/{token}/config",
    "remote_config_js": "GET /array/{token}/config.js",
    "remote_config_array_js": "GET /array/{token}/array.js",
}


def test_the_issue_9_routes_are_in_the_schema_with_response_schemas() -> None:
    from flagcore.app.main import create_app  # noqa: PLC0415
    from flagcore.app.settings import Settings  # noqa: PLC0415

    app = create_app(settings=Settings(database_url="memory://"))
    operations = _operations(app)
    for operation_id, route in ISSUE_9_OPERATIONS.items():
        assert operations.get(operation_id) == route, operation_id
    schema = app.openapi_schema.to_schema()
    for route in ISSUE_9_OPERATIONS.values():
        method, path = route.split(" ", 1)
        responses = schema["paths"][path][method.lower()]["responses"]
        success = next(body for status, body in responses.items() if status.startswith("2"))
        assert success.get("content"), route
    # The old standalone legacy feed route is gone: one definition, mounted twice.
    assert "legacy_local_evaluation" not in operations
