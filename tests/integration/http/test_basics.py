from __future__ import annotations

from tests.integration.http.conftest import World


async def test_health_needs_no_credentials(world: World) -> None:
    response = await world.client.get("/_health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_openapi_schema_is_served(world: World) -> None:
    response = await world.client.get("/schema/openapi.json")
    assert response.status_code == 200
    assert "/api/projects/{project_id}/feature_flags" in response.json()["paths"]


async def test_unknown_route_answers_posthog_404_body(world: World) -> None:
    response = await world.client.get("/api/nothing-here")
    assert response.status_code == 404
    assert response.json() == {"type": "invalid_request", "code": "not_found", "detail": "Not found.", "attr": None}


async def test_every_route_declares_who_may_call_it(world: World) -> None:
    app = world.client.app
    for route in app.routes:
        for handler in getattr(route, "route_handlers", ()):
            if route.path.startswith("/schema") or handler.http_methods == {"OPTIONS"}:
                continue  # Litestar's own OpenAPI and automatic OPTIONS routes: public by nature
            assert "auth" in handler.opt, f"{route.path} {handler} has no access rule"
