"""The OpenAPI document: what Litestar derives from the handlers, completed from what each route declares.

Litestar infers path parameters and the success response from a handler's signature. Most of our handlers read
their body and query themselves (to report errors as PostHog does, and to keep the hot path lean), so Litestar
cannot see those; and it documents its own error body, not ours. So every route states the rest in its ``opt``:
its :class:`~flagcore.domain.identity.access.AccessRule` (``opt["auth"]``, from which the security requirement and
the 401/403 responses follow) and a :class:`RouteDoc` (``opt["doc"]``: request body, query parameters, a response
schema for handlers that answer with raw bytes, extra error statuses). :func:`complete_schema` merges them into the
generated document once, when it is first served; ``tests/integration/http/test_openapi.py`` fails for a route that
is missing from it or documented incompletely.
"""

from __future__ import annotations

import copy
import importlib.util
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

import msgspec
from litestar import Litestar, Request, Router
from litestar.handlers import HTTPRouteHandler
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, SwaggerRenderPlugin
from litestar.routes import HTTPRoute
from litestar.static_files import create_static_files_router

from flagcore.app.http.auth import AUTH, PUBLIC_ROUTE
from flagcore.app.http.errors import ErrorBody
from flagcore.domain.identity.access import AccessRule, Target

#: Route option holding the route's :class:`RouteDoc`.
DOC: Final = "doc"
SCHEMA_PATH: Final = "/schema"
ASSETS_PATH: Final = "/schema/assets"
_REF: Final = "#/components/schemas/{name}"
_WRITE_METHODS: Final = frozenset({"POST", "PUT", "PATCH"})


class QueryParam(msgspec.Struct, frozen=True, kw_only=True):
    """One query parameter a handler reads from ``request.query_params`` itself."""

    name: str
    description: str
    #: A Python type msgspec can describe (``int``, ``str``, ``Annotated[int, Meta(ge=1)]``, a Literal...).
    type: Any = str
    required: bool = False


class RouteDoc(msgspec.Struct, frozen=True, kw_only=True):
    """What a route's signature does not tell Litestar."""

    #: The JSON request body's type.
    body: Any = None
    #: A POST, PUT or PATCH that takes no body (an action): says so, where a missing ``body`` would be an omission.
    no_body: bool = False
    #: Media types the body may come in (``/flags`` also takes forms and base64 text).
    body_media_types: tuple[str, ...] = ("application/json",)
    query: tuple[QueryParam, ...] = ()
    #: The success response's type, for handlers that answer with bytes or an ASGI app.
    response: Any = None
    response_media_type: str = "application/json"
    #: The error body's type where it is not PostHog's (the OpenFeature routes); a tuple documents any of them.
    error_body: Any = None
    #: Error statuses beyond the ones that follow from the rule, the method and the path.
    errors: frozenset[int] = frozenset()
    #: Whether the route can answer 503 because a backend (database, cache) is unavailable.
    uses_backend: bool = True
    #: Other answers: ``(status, description, body type or None)``, e.g. a 304 or a 503 with its own body; a tuple
    #: of types documents any of them (an action answering PostHog's ``{"error": ...}`` or the usual error body).
    statuses: tuple[tuple[int, str, Any], ...] = ()


def doc(
    *,
    body: object = None,
    no_body: bool = False,
    body_media_types: Sequence[str] = ("application/json",),
    query: Sequence[QueryParam] = (),
    response: object = None,
    response_media_type: str = "application/json",
    error_body: object = None,
    errors: Sequence[int] = (),
    uses_backend: bool = True,
    statuses: Sequence[tuple[int, str, Any]] = (),
) -> dict[str, RouteDoc]:
    """A route option: ``opt={**FLAG_WRITE, **doc(body=FlagWrite)}``."""
    return {
        DOC: RouteDoc(
            body=body,
            no_body=no_body,
            body_media_types=tuple(body_media_types),
            query=tuple(query),
            response=response,
            response_media_type=response_media_type,
            error_body=error_body,
            errors=frozenset(errors),
            uses_backend=uses_backend,
            statuses=tuple(statuses),
        )
    }


PAGINATION: Final = (
    QueryParam(name="limit", description="Page size, 1-1,000 (default 100).", type=int),
    QueryParam(name="offset", description="Items to skip (default 0).", type=int),
)

_ERROR_DESCRIPTIONS: Final = {
    400: "Invalid input: `attr` names the field or parameter at fault.",
    401: "No credentials, or credentials that are not valid.",
    403: "Authenticated, but the key lacks the scope, or the caller is not allowed to do this.",
    404: "No such resource, or one the caller cannot see (another organization's answers the same).",
    405: "Method not allowed.",
    409: "A conflicting change: a stale `version`, or a key or name already in use.",
    413: "The request body is too large (after decompression).",
    429: "Too many requests: retry after `Retry-After` seconds.",
    503: "A backend (the database) is unavailable; the request can be retried.",
}

_SECURITY_SCHEMES: Final = {
    "personalApiKey": {
        "type": "http",
        "scheme": "bearer",
        "description": "A personal API key (`phx_...`), with the scopes the route names.",
    },
    "secretProjectKey": {
        "type": "http",
        "scheme": "bearer",
        "description": "A project's secret key (`phs_...`); accepted only where a route says so.",
    },
    "projectToken": {
        "type": "apiKey",
        "in": "query",
        "name": "token",
        "description": "The project's public API key (`phc_...`), sent as `token` or `api_key` in the body or query.",
    },
    "operatorToken": {
        "type": "http",
        "scheme": "bearer",
        "description": "`FLAGCORE_METRICS_TOKEN`, when it is set (otherwise these routes are public).",
    },
}


def openapi_config(version: str) -> OpenAPIConfig:
    """Litestar's OpenAPI configuration: our JSON renderer and a Swagger UI that needs no internet."""
    return OpenAPIConfig(
        title="flagcore",
        version=version,
        description=(
            "Feature flags, wire-compatible with PostHog's APIs. Errors are always "
            '`{"type", "code", "detail", "attr"}`. Authenticate with `Authorization: Bearer <key>`.'
        ),
        path=SCHEMA_PATH,
        # The first plugin also answers ``/schema`` itself.
        render_plugins=[OfflineSwaggerRenderPlugin(), CompletedJsonRenderPlugin()],
    )


_COMPLETED: Final = "flagcore_openapi_document"


def completed_document(request: Request[Any, Any, Any], generated: dict[str, Any]) -> dict[str, Any]:
    """The completed document for the app, computed on first use (Litestar itself generates it lazily)."""
    state = request.app.state
    cached: tuple[int, dict[str, Any]] | None = state.get(_COMPLETED)
    if cached is None or cached[0] != id(generated):
        cached = state[_COMPLETED] = (id(generated), complete_schema(generated, request.app))
    return cached[1]


class CompletedJsonRenderPlugin(JsonRenderPlugin):
    """``/schema/openapi.json``: the generated document completed by :func:`complete_schema`."""

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        return super().render(request, completed_document(request, openapi_schema))


class OfflineSwaggerRenderPlugin(SwaggerRenderPlugin):
    """Swagger UI with its assets served by this app (from the ``swagger-ui-py`` wheel), so it works offline."""

    def __init__(self) -> None:
        super().__init__(
            js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
            css_url=f"{ASSETS_PATH}/swagger-ui.css",
            standalone_preset_js_url=f"{ASSETS_PATH}/swagger-ui-standalone-preset.js",
            path="/swagger",
            favicon=f"<link rel='icon' type='image/png' href='{ASSETS_PATH}/favicon-32x32.png'>",
        )

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        # Swagger's page embeds the document: the completed one, as /schema/openapi.json serves it.
        return super().render(request, completed_document(request, openapi_schema))

    def receive_router(self, router: Router) -> None:
        router.register(
            create_static_files_router(
                path=ASSETS_PATH.removeprefix(SCHEMA_PATH),
                directories=[_swagger_ui_assets()],
                include_in_schema=False,
                opt=dict(PUBLIC_ROUTE),
                name="swagger_assets",
            )
        )


def _swagger_ui_assets() -> Path:
    # Found, not imported: the package imports Jinja at once, which nothing else needs at start-up.
    spec = importlib.util.find_spec("swagger_ui")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("swagger-ui-py is not installed")  # a dependency of flagcore: a broken install
    return Path(next(iter(spec.submodule_search_locations))) / "static"


def documented_handlers(app: Litestar) -> Iterator[tuple[str, str, HTTPRouteHandler]]:
    """``(path, method, handler)`` of every route the schema should list."""
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            if not handler.resolve_include_in_schema():
                continue
            for method in sorted(handler.http_methods):
                if method in {"HEAD", "OPTIONS"}:
                    continue
                yield route.path_format or "/", method, handler


def complete_schema(generated: Mapping[str, Any], app: Litestar) -> dict[str, Any]:
    """The generated document with security, bodies, query parameters and error responses filled in."""
    schema = copy.deepcopy(dict(generated))
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    components["securitySchemes"] = copy.deepcopy(_SECURITY_SCHEMES)
    extra_types: list[object] = [ErrorBody]
    for path, method, handler in documented_handlers(app):
        operation = schema.get("paths", {}).get(path, {}).get(method.lower())
        if operation is None:
            continue
        rule = handler.opt.get(AUTH)
        route_doc = handler.opt.get(DOC) or RouteDoc()
        if isinstance(rule, AccessRule):
            operation["security"] = _security(rule)
            who = f"Who may call: {rule.describe()}."
            operation["description"] = "\n\n".join(filter(None, (operation.get("description"), who)))
        _document_inputs(operation, method, route_doc, extra_types)
        _document_responses(operation, handler, method, path, rule, route_doc, extra_types)
    _, definitions = msgspec.json.schema_components(extra_types, ref_template=_REF)
    schemas.update(definitions)
    # ``attr`` has a default in code but is always sent (null when no field is at fault).
    schemas["ErrorBody"]["required"] = ["type", "code", "detail", "attr"]
    return schema


def _security(rule: AccessRule) -> list[dict[str, list[str]]]:
    if rule.target is Target.PUBLIC:
        return []
    if rule.target is Target.OPERATOR:
        return [{"operatorToken": []}, {}]
    if rule.target is Target.PROJECT_TOKEN:
        return [{"projectToken": []}]
    scopes = [rule.scope] if rule.scope else []
    requirements = [{"personalApiKey": scopes}]
    if rule.secret_key:
        requirements.append({"secretProjectKey": []})
    return requirements


def _ref(kind: object, extra_types: list[object]) -> dict[str, Any]:
    extra_types.append(kind)
    (one,), _ = msgspec.json.schema_components([kind], ref_template=_REF)
    return one


def _schema_of(kind: object, extra_types: list[object]) -> dict[str, Any]:
    """A type's schema; a tuple of types is any of them."""
    if isinstance(kind, tuple):
        return {"anyOf": [_ref(one, extra_types) for one in kind]}
    return _ref(kind, extra_types)


def _document_inputs(operation: dict[str, Any], method: str, route_doc: RouteDoc, extra_types: list[object]) -> None:
    if route_doc.body is not None and method in _WRITE_METHODS:  # a GET's fields come in its query
        body_schema = _ref(route_doc.body, extra_types)
        operation["requestBody"] = {
            "required": False,
            "content": {media: {"schema": body_schema} for media in route_doc.body_media_types},
        }
    parameters = operation.setdefault("parameters", [])
    present = {(p.get("in"), p.get("name")) for p in parameters}
    for param in route_doc.query:
        if ("query", param.name) in present:
            continue
        parameters.append(
            {
                "name": param.name,
                "in": "query",
                "required": param.required,
                "description": param.description,
                "schema": _ref(param.type, extra_types),
            }
        )
    if not parameters:
        del operation["parameters"]


def _error_statuses(method: str, path: str, rule: AccessRule | None, route_doc: RouteDoc) -> set[int]:
    statuses = set(route_doc.errors)
    if route_doc.body is not None or route_doc.query or method in _WRITE_METHODS or "{" in path:
        statuses.add(400)
    if route_doc.body is not None and method in _WRITE_METHODS:
        statuses.add(413)
    if rule is not None and rule.target is not Target.PUBLIC:
        statuses.add(401)
    if rule is not None and rule.target in {Target.PROJECT, Target.ORGANIZATION, Target.USER}:
        statuses.update({403, 404})
    if "{" in path:
        statuses.add(404)
    if route_doc.uses_backend:
        statuses.add(503)
    return statuses


def _document_responses(
    operation: dict[str, Any],
    handler: HTTPRouteHandler,
    method: str,
    path: str,
    rule: AccessRule | None,
    route_doc: RouteDoc,
    extra_types: list[object],
) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    error = {"application/json": {"schema": _schema_of(route_doc.error_body or ErrorBody, extra_types)}}
    # Litestar documents its own validation error body for 400; every error here is PostHog's body.
    for listed in list(responses):
        if listed.isdigit() and int(listed) >= 400:  # noqa: PLR2004 - HTTP error statuses
            responses[listed] = {"description": _ERROR_DESCRIPTIONS.get(int(listed), "Error."), "content": error}
    success = str(handler.status_code)
    if route_doc.response is not None and success in responses:
        responses[success]["content"] = {
            route_doc.response_media_type: {"schema": _ref(route_doc.response, extra_types)}
        }
    for other, description, kind in route_doc.statuses:
        answer: dict[str, Any] = {"description": description}
        if kind is not None:
            answer["content"] = {"application/json": {"schema": _schema_of(kind, extra_types)}}
        responses[str(other)] = answer
    for status in sorted(_error_statuses(method, path, rule, route_doc)):
        responses.setdefault(str(status), {"description": _ERROR_DESCRIPTIONS.get(status, "Error."), "content": error})
