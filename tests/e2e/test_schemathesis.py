"""Schema-driven fuzzing: schemathesis generates requests from the served OpenAPI document and sends them to a real
server with a valid personal key. No answer may be a 5xx, and every answer must match what the document says:
its status listed, its content type and its body the documented ones.

Bounded: a few dozen examples per operation, no deadline (a loaded CI machine must not fail it for slowness).
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from litestar.testing import TestClient
from schemathesis import checks
from schemathesis.specs.openapi import checks as openapi_checks

from flagcore.app.main import create_app
from flagcore.app.settings import Settings
from tests.e2e.conftest import Server

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

_CHECKS = [
    checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_schema_conformance,
]


def _document() -> dict[str, Any]:
    # Collected before any server runs, so the document comes from the same code in process; the test below
    # checks that the real server serves exactly this document.
    with TestClient(create_app(settings=Settings(database_url="memory://"))) as client:
        return dict(client.get("/schema/openapi.json").json())


DOCUMENT = _document()
schema = schemathesis.openapi.from_dict(DOCUMENT)


def test_the_server_serves_this_document(server: Server) -> None:
    with server.client() as client:
        assert client.get("/schema/openapi.json").json() == DOCUMENT


@pytest.fixture(scope="module")
def seeded(server: Server) -> Server:
    """Flags to find: a boolean with a payload and a multivariate one, so evaluations answer with records."""
    with server.client() as client:
        url = f"/api/projects/{server.credentials['project_id']}/feature_flags/"
        boolean = {
            "key": "fuzz-boolean",
            "filters": {"groups": [{"rollout_percentage": 50}], "payloads": {"true": '{"a": 1}'}},
        }
        variants = [{"key": "a", "rollout_percentage": 50}, {"key": "b", "rollout_percentage": 50}]
        multivariate = {
            "key": "fuzz-variants",
            "filters": {"groups": [{"rollout_percentage": 100}], "multivariate": {"variants": variants}},
        }
        for flag in (boolean, multivariate):
            assert client.post(url, json=flag).status_code == 201
    return server


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_served_schema_holds_for_generated_requests(case: Any, seeded: Server) -> None:
    server = seeded
    # Most requests should reach the caller's own project, not only be refused as another one.
    if "project_id" in (case.path_parameters or {}):
        case.path_parameters["project_id"] = str(server.credentials["project_id"])
    if case.path in {"/flags", "/decide"}:
        # Likewise evaluations: the project's real token, so that flags are evaluated, not only refused.
        token = server.credentials["project_api_key"]
        case.query = {**(case.query or {}), "token": token}
        if isinstance(case.body, dict):
            case.body["token"] = token
    headers = {"Authorization": f"Bearer {server.credentials['personal_api_key']}"}
    case.call_and_validate(base_url=server.base_url, headers=headers, checks=_CHECKS, timeout=30)
