"""The served OpenAPI document against the app's routes: every route listed, and each one documented completely.

A new route without its request body, security requirement or error bodies fails here, not in a user's client.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient, TestClient

from flagcore.app.http.auth import AUTH
from flagcore.app.http.openapi import DOC, RouteDoc, documented_handlers
from flagcore.app.main import create_app
from flagcore.app.settings import Settings
from flagcore.domain.identity.access import AccessRule, Target

_WRITES = {"POST", "PUT", "PATCH"}
_NO_CONTENT = {204, 304}


@pytest.fixture(scope="module")
def app() -> Litestar:
    return create_app(settings=Settings(database_url="memory://"))


@pytest.fixture(scope="module")
def schema(app: Litestar) -> dict[str, Any]:
    with TestClient(app) as client:
        response = client.get("/schema/openapi.json")
    assert response.status_code == 200
    return dict(response.json())


def _operations(app: Litestar, schema: dict[str, Any]) -> list[tuple[str, str, Any, dict[str, Any]]]:
    found = []
    for path, method, handler in documented_handlers(app):
        operation = schema["paths"].get(path, {}).get(method.lower())
        assert operation is not None, f"{method} {path} is routed but missing from the OpenAPI document"
        found.append((path, method, handler, operation))
    return found


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    if ref is None:
        return node
    name = ref.removeprefix("#/components/schemas/")
    assert name in schema["components"]["schemas"], f"dangling reference {ref}"
    return dict(schema["components"]["schemas"][name])


def test_every_route_is_listed_once_with_a_unique_operation_id(app: Litestar, schema: dict[str, Any]) -> None:
    operations = _operations(app, schema)
    assert len(operations) >= 20
    ids = [op["operationId"] for *_rest, op in operations]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    listed = sum(1 for item in schema["paths"].values() for m in item if m in {"get", "post", "put", "patch", "delete"})
    assert listed == len(operations), "the document lists an operation no route serves"


def test_every_operation_states_its_security(app: Litestar, schema: dict[str, Any]) -> None:
    schemes = schema["components"]["securitySchemes"]
    assert {"personalApiKey", "secretProjectKey", "projectToken", "operatorToken"} <= set(schemes)
    for path, method, handler, operation in _operations(app, schema):
        rule: AccessRule = handler.opt[AUTH]
        assert "security" in operation, f"{method} {path}"
        named = {name for requirement in operation["security"] for name in requirement}
        assert named <= set(schemes), f"{method} {path} names an unknown scheme"
        if rule.target is Target.PUBLIC:
            assert operation["security"] == [], f"{method} {path} is public"
        else:
            assert named, f"{method} {path} needs credentials but documents none"
            assert "401" in operation["responses"], f"{method} {path} can answer 401"
        if rule.scope:
            assert [rule.scope] in [r.get("personalApiKey") for r in operation["security"]], f"{method} {path}"
        assert ("secretProjectKey" in named) == rule.secret_key, f"{method} {path}"


def test_path_parameters_and_declared_query_parameters_are_documented(app: Litestar, schema: dict[str, Any]) -> None:
    for path, method, handler, operation in _operations(app, schema):
        parameters = {(p["in"], p["name"]) for p in operation.get("parameters", [])}
        for name in re.findall(r"{(\w+)}", path):
            assert ("path", name) in parameters, f"{method} {path} lacks path parameter {name}"
        route_doc: RouteDoc = handler.opt.get(DOC) or RouteDoc()
        for param in route_doc.query:
            assert ("query", param.name) in parameters, f"{method} {path} lacks ?{param.name}"


def test_every_write_documents_its_request_body(app: Litestar, schema: dict[str, Any]) -> None:
    for path, method, handler, operation in _operations(app, schema):
        if method not in _WRITES or handler.status_code >= 400:
            continue
        route_doc: RouteDoc = handler.opt.get(DOC) or RouteDoc()
        if route_doc.body is None and not route_doc.no_body:
            pytest.fail(f"{method} {path} takes a body but documents none (doc(body=...) or doc(no_body=True))")
        if route_doc.body is not None:
            content = operation["requestBody"]["content"]
            assert "application/json" in content, f"{method} {path}"
            assert _resolve(schema, content["application/json"]["schema"]), f"{method} {path}: empty body schema"


def test_success_responses_have_a_schema(app: Litestar, schema: dict[str, Any]) -> None:
    for path, method, handler, operation in _operations(app, schema):
        if handler.status_code >= 400 or handler.status_code in _NO_CONTENT:
            continue
        success = operation["responses"].get(str(handler.status_code))
        assert success is not None, f"{method} {path} documents no {handler.status_code}"
        content = success.get("content")
        assert content, f"{method} {path}: the {handler.status_code} answer has no schema"
        for media in content.values():
            assert _resolve(schema, media["schema"]) != {}, f"{method} {path}: empty response schema"


def test_error_responses_carry_posthogs_error_body(app: Litestar, schema: dict[str, Any]) -> None:
    error = schema["components"]["schemas"]["ErrorBody"]
    assert set(error["required"]) == {"type", "code", "detail", "attr"}
    for path, method, handler, operation in _operations(app, schema):
        route_doc: RouteDoc = handler.opt.get(DOC) or RouteDoc()
        own_bodies = {status for status, _description, _kind in route_doc.statuses}
        errors = {int(s) for s in operation["responses"] if s.isdigit() and int(s) >= 400}
        if route_doc.uses_backend or handler.opt[AUTH].target is not Target.PUBLIC:
            assert errors, f"{method} {path} documents no error"
        if route_doc.uses_backend:
            assert 503 in errors, f"{method} {path} can answer 503"
        expected = {"$ref": "#/components/schemas/ErrorBody"}
        if route_doc.error_body is not None:  # the OpenFeature routes answer in their specification's bodies
            kinds = route_doc.error_body if isinstance(route_doc.error_body, tuple) else (route_doc.error_body,)
            refs = [{"$ref": f"#/components/schemas/{kind.__name__}"} for kind in kinds]
            expected = {"anyOf": refs} if len(refs) > 1 else refs[0]
        for status in errors - own_bodies:
            media = operation["responses"][str(status)]["content"]["application/json"]
            assert media["schema"] == expected, f"{method} {path} {status}"


def test_no_litestar_error_shape_is_left(schema: dict[str, Any]) -> None:
    # Litestar's own validation body is {status_code, detail, extra}; no answer of ours has that shape.
    assert "status_code" not in str(schema["paths"])


async def test_swagger_ui_is_served_from_local_assets(app: Litestar) -> None:
    async with AsyncTestClient(app) as client:
        page = await client.get("/schema")
        assert page.status_code == 200
        assets = re.findall(r"""(?:src|href)=['"]([^'"]+)['"]""", page.text)
        assert assets
        assert all(a.startswith("/schema/") for a in assets), assets  # nothing from a CDN
        for asset in assets:
            response = await client.get(asset)
            assert response.status_code == 200, asset
            assert response.content, asset
