"""``/_ready``: 200 when the store is reachable and migrated, with the snapshot tiers' states; public."""

from __future__ import annotations

from tests.integration.http.conftest import World


async def test_ready_when_the_database_is_migrated(world: World) -> None:
    response = await world.client.get("/_ready")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert body["database"]["ready"] is True
    assert body["snapshot_tiers"] == {"memory": "up", "db": "up"}
    if body["database"]["head"] is not None:  # SQL storage: at this version's head revision
        assert body["database"]["revision"] == body["database"]["head"]
        assert body["database"]["detail"] == f"at {body['database']['head']} (head)"


async def test_ready_needs_no_credentials_even_with_an_operator_token(world: World) -> None:
    # /_ready is for load balancers: FLAGCORE_METRICS_TOKEN never restricts it.
    assert (await world.client.get("/_ready", headers={"Authorization": "Bearer wrong"})).status_code == 200
