"""Helpers for tests that capture events and then look at their effect."""

from __future__ import annotations

from typing import Any

from flagcore.app.persons.worker import IngestionWorker
from tests.integration.http.conftest import World


async def applied(world: World) -> None:
    """Wait until every event captured so far has been applied by the ingestion worker."""
    worker = await world.client.app.state.dishka_container.get(IngestionWorker)
    await worker.flush()


async def flag(world: World, key: str, properties: list[dict[str, Any]], **filters: Any) -> None:
    body = {"key": key, "filters": {"groups": [{"properties": properties, "rollout_percentage": 100}], **filters}}
    response = await world.client.post(world.url(), json=body, headers=world.auth())
    assert response.status_code == 201, response.text


async def flags_answer(world: World, distinct_id: str, **body: Any) -> dict[str, Any]:
    response = await world.client.post(
        "/flags?v=2", json={"api_key": world.project_api_key, "distinct_id": distinct_id, **body}
    )
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def enabled(answer: dict[str, Any], key: str) -> bool:
    return bool(answer["flags"][key]["enabled"])
