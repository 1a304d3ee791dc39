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
