"""One fixture per FlagEvaluator adapter, and ``remote_evaluator`` parametrized over them.

- ``local``: ``InProcessFlagEvaluator`` over snapshots of a memory flag store seeded through ``CreateFlag``.
- ``http``: ``HttpFlagEvaluator`` pointed at a second flagcore process (granian via the CLI, on a free loopback
  port, with its own SQLite database) seeded through ``flagcore init --json`` and the management API.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import msgspec
import pytest

from flagcore.adapters.http import HttpFlagEvaluator
from flagcore.adapters.memory import FixedClock, MemoryHashKeyOverrideRepo
from flagcore.app.evaluation.in_process_evaluator import InProcessFlagEvaluator
from flagcore.app.evaluation.pipeline import EvaluationPipeline
from flagcore.app.flags.create_flag import CreateFlagCommand
from flagcore.app.http.management.schemas import FlagWrite
from flagcore.domain.cohorts import NewCohort
from flagcore.domain.identity import Project
from flagcore.ports.flag_evaluator import EvaluatedFlag, FlagEvaluator
from tests.contract.flag_evaluator.catalogue import FLAGS, seed
from tests.memory_stack import MemoryStack
from tests.servers import run_cli, running_server

STARTUP_TIMEOUT_S = 30
EPOCH = datetime(2024, 1, 1, tzinfo=UTC)
GONE_COHORT: dict[str, Any] = {
    "properties": {"type": "AND", "values": [{"type": "person", "key": "plan", "operator": "exact", "value": "x"}]}
}


@dataclass(frozen=True)
class EvaluatorUnderTest:
    """An adapter, the project its store holds the catalogue in, and a way to arrange stored hash keys.

    ``identify(distinct_id, anon_distinct_id)`` stores what a ``/flags`` request carrying ``$anon_distinct_id``
    stores: the anonymous id as the hash key of every experience-continuity flag, for both ids.
    """

    evaluator: FlagEvaluator
    project: Project
    identify: Callable[[str, str], Awaitable[None]]

    async def evaluate(self, distinct_id: str, groups: Mapping[str, str] | None = None) -> dict[str, EvaluatedFlag]:
        return await self.evaluator.evaluate(self.project, distinct_id=distinct_id, groups=groups or {})


@dataclass(frozen=True)
class FlagcoreServer:
    base_url: str
    project: Project
    flag_ids: dict[str, int]


@pytest.fixture(scope="session")
def flagcore_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FlagcoreServer]:
    """A second flagcore serving ``/flags``, its project seeded with the catalogue over the management API."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLAGCORE_")}
    env["FLAGCORE_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('evaluator') / 'flagcore.db'}"
    assert run_cli("migrate", env=env).returncode == 0
    init = run_cli("init", "--json", env=env)
    assert init.returncode == 0, init.stderr
    credentials = json.loads(init.stdout)
    with running_server(env) as base_url:
        # A session fixture has no event loop of its own; seeding is short, so it gets a private one.
        flag_ids = asyncio.run(_seed_over_api(base_url, credentials))
        project = Project(
            id=credentials["project_id"],
            organization_id=credentials["organization_id"],
            name="Default Project",
            api_token=credentials["project_api_key"],
            created_at=EPOCH,
        )
        yield FlagcoreServer(base_url=base_url, project=project, flag_ids=flag_ids)


async def _seed_over_api(base_url: str, credentials: dict[str, Any]) -> dict[str, int]:
    headers = {"Authorization": f"Bearer {credentials['personal_api_key']}"}
    flags_url = f"/api/projects/{credentials['project_id']}/feature_flags/"
    async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=10) as client:

        async def create(body: dict[str, Any]) -> int:
            response = await client.post(flags_url, json=body)
            assert response.status_code == 201, response.text
            return int(response.json()["id"])

        async def delete(flag_id: int) -> None:
            response = await client.patch(f"{flags_url}{flag_id}/", json={"deleted": True})
            assert response.status_code == 200, response.text

        async def deleted_cohort() -> int:
            cohorts_url = f"/api/projects/{credentials['project_id']}/cohorts/"
            response = await client.post(cohorts_url, json={"name": "gone", "filters": GONE_COHORT})
            assert response.status_code == 201, response.text
            cohort_id = int(response.json()["id"])
            response = await client.patch(f"{cohorts_url}{cohort_id}/", json={"deleted": True})
            assert response.status_code == 200, response.text
            return cohort_id

        return await seed(create, delete, deleted_cohort)


@pytest.fixture
async def http_remote_evaluator(flagcore_server: FlagcoreServer) -> AsyncIterator[EvaluatorUnderTest]:
    async with httpx.AsyncClient() as client:
        evaluator = HttpFlagEvaluator(client, base_url=flagcore_server.base_url, timeout_s=10)
        project = flagcore_server.project

        async def identify(distinct_id: str, anon_distinct_id: str) -> None:
            body = {"token": project.api_token, "distinct_id": distinct_id, "$anon_distinct_id": anon_distinct_id}
            response = await client.post(f"{flagcore_server.base_url}/flags?v=2", json=body)
            assert response.status_code == 200, response.text

        yield EvaluatorUnderTest(evaluator=evaluator, project=project, identify=identify)


@pytest.fixture
async def local_remote_evaluator() -> EvaluatorUnderTest:
    # The same stores, unit of work and snapshot stack as the app's, minus the cache tiers.
    stack = MemoryStack(clock=FixedClock(EPOCH))
    project = await stack.stores.projects.create(
        organization_id="org", name="local", api_token="phc_local", timezone="UTC", created_at=EPOCH
    )
    create_flag = stack.create_flag()

    async def create(body: dict[str, Any]) -> int:
        # The same decoding as the API's, so both stores read the bodies by the same rules.
        fields = msgspec.json.decode(msgspec.json.encode(body), type=FlagWrite).changes()
        flag = await create_flag.execute(CreateFlagCommand(project_id=project.id, user_id=None, fields=fields))
        return flag.id

    async def delete(flag_id: int) -> None:
        await stack.stores.flags.soft_delete(project.id, flag_id, expected_version=1)

    async def deleted_cohort() -> int:
        new = NewCohort(project_id=project.id, name="gone", filters=GONE_COHORT, created_at=EPOCH)
        async with stack.uow.begin() as uow:
            cohort = await uow.cohorts.create(new)
            await uow.cohorts.save(msgspec.structs.replace(cohort, deleted=True))
            await uow.commit()
        return cohort.id

    await seed(create, delete, deleted_cohort)
    overrides = MemoryHashKeyOverrideRepo()

    async def identify(distinct_id: str, anon_distinct_id: str) -> None:
        continuity = [body["key"] for body in FLAGS if body.get("ensure_experience_continuity")]
        await overrides.set_missing(
            project.id, [distinct_id, anon_distinct_id], dict.fromkeys(continuity, anon_distinct_id)
        )

    evaluator = InProcessFlagEvaluator(stack.snapshots, EvaluationPipeline(overrides, stack.clock))
    return EvaluatorUnderTest(evaluator=evaluator, project=project, identify=identify)


@pytest.fixture(
    params=[
        pytest.param("local_remote_evaluator", id="local"),
        pytest.param(
            "http_remote_evaluator", id="http", marks=[pytest.mark.e2e, pytest.mark.xdist_group("evaluator_server")]
        ),
    ]
)
def remote_evaluator(request: pytest.FixtureRequest) -> EvaluatorUnderTest:
    return request.getfixturevalue(request.param)  # type: ignore[no-any-return]
