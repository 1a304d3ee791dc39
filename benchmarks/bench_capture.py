"""Capture and ingestion throughput, and ``/flags`` with and without a stored-properties read, in one run.

Run from the repository root: ``.venv/bin/python benchmarks/bench_capture.py [database_url]`` (default: a
temporary SQLite file; ``memory://`` or a PostgreSQL URL work too). The app runs in process (Litestar's test
client, no network), so the figures compare the paths rather than measure a deployment:

- capture: POST /batch with 100 events each (acknowledged: validated and queued), events per second;
- ingestion: the worker applying those events to persons, events per second;
- usage: ``$feature_flag_called`` events of known persons applied (person touch + one usage upsert per batch);
- /flags: a flag on a person property, the request sending it (no store read) against not sending it (one person
  read); the ratio is the cost of the stored-properties read.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

from dishka import AsyncContainer
from litestar.testing import AsyncTestClient

from flagcore.adapters.memory import SystemClock
from flagcore.adapters.sqlalchemy import SqlUnitOfWorkFactory, create_engine, create_sessionmaker, upgrade_database
from flagcore.app.identity.bootstrap import Bootstrap, BootstrapCommand, BootstrapResult
from flagcore.app.main import create_app
from flagcore.app.persons.worker import IngestionWorker
from flagcore.app.settings import Settings

BATCHES = 20
BATCH = 100
FLAG_REQUESTS = 200
ROUNDS = 3


async def _seed(url: str, container: AsyncContainer) -> BootstrapResult:
    """The project and key; over an engine of this loop on PostgreSQL (the app's pool belongs to the app's loop)."""
    if not url.startswith("postgresql"):
        return await (await container.get(Bootstrap)).execute(BootstrapCommand(only_if_new=True))
    engine = create_engine(url)
    try:
        bootstrap = Bootstrap(SqlUnitOfWorkFactory(create_sessionmaker(engine)), SystemClock())
        return await bootstrap.execute(BootstrapCommand(only_if_new=True))
    finally:
        await engine.dispose()


async def main(url: str) -> None:
    if not url.startswith("memory"):
        await upgrade_database(url)
    app = create_app(settings=Settings(database_url=url, access_log=False, metrics=False))
    async with AsyncTestClient(app) as client:
        container = app.state.dishka_container
        seeded = await _seed(url, container)
        token, key = seeded.project_api_key, seeded.personal_api_key
        worker = await container.get(IngestionWorker)
        body = {
            "key": "pro",
            "filters": {
                "groups": [
                    {
                        "properties": [{"key": "plan", "type": "person", "value": ["pro"], "operator": "exact"}],
                        "rollout_percentage": 100,
                    }
                ]
            },
        }
        await client.post(
            "/api/projects/@current/feature_flags/", json=body, headers={"Authorization": f"Bearer {key}"}
        )
        capture, ingest = [], []
        for round_ in range(ROUNDS):
            start = time.perf_counter()
            for b in range(BATCHES):
                events = [
                    {"event": "$set", "distinct_id": f"r{round_}-u{b * BATCH + i}", "$set": {"plan": "pro"}}
                    for i in range(BATCH)
                ]
                response = await client.post("/batch", json={"api_key": token, "batch": events})
                assert response.status_code == 200, response.text
            acknowledged = time.perf_counter()
            await worker.flush()
            done = time.perf_counter()
            capture.append(BATCHES * BATCH / (acknowledged - start))
            ingest.append(BATCHES * BATCH / (done - start))
        usage = []
        for round_ in range(ROUNDS):
            start = time.perf_counter()
            for b in range(BATCHES):
                events = [
                    {
                        "event": "$feature_flag_called",
                        "distinct_id": f"r{round_}-u{b * BATCH + i}",
                        "properties": {"$feature_flag": f"flag-{i % 10}", "$feature_flag_response": True},
                    }
                    for i in range(BATCH)
                ]
                response = await client.post("/batch", json={"api_key": token, "batch": events})
                assert response.status_code == 200, response.text
            await worker.flush()
            usage.append(BATCHES * BATCH / (time.perf_counter() - start))
        sent, stored = [], []
        for _ in range(ROUNDS):
            for label, extra, out in (("sent", {"person_properties": {"plan": "pro"}}, sent), ("stored", {}, stored)):
                start = time.perf_counter()
                for i in range(FLAG_REQUESTS):
                    response = await client.post(
                        "/flags?v=2", json={"api_key": token, "distinct_id": f"r0-u{i}", **extra}
                    )
                    assert response.json()["flags"]["pro"]["enabled"], label
                out.append(FLAG_REQUESTS / (time.perf_counter() - start))
    print(f"database: {url.split('://', maxsplit=1)[0]}")
    print(f"capture acknowledged: {statistics.median(capture):,.0f} events/s (batches of {BATCH})")
    print(f"capture + ingestion applied: {statistics.median(ingest):,.0f} events/s")
    print(f"capture + $feature_flag_called applied (usage): {statistics.median(usage):,.0f} events/s")
    s, d = statistics.median(sent), statistics.median(stored)
    print(f"/flags properties sent: {s:,.0f} req/s; read from the store: {d:,.0f} req/s; ratio {s / d:.2f}")


if __name__ == "__main__":
    target = sys.argv[1] if len(sys.argv) > 1 else f"sqlite+aiosqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    asyncio.run(main(target))
