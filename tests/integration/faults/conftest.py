"""The app over ``redis,s3,db`` (real Redis, moto's S3, PostgreSQL), each reached through a proxy a test can cut.

Tiers fail fast here (short timeouts) and the process-local snapshot refresh window is zero, so every request
re-validates against the tiers: each request exercises the fall-through a fault triggers.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis
from sqlalchemy.engine import make_url

from flagcore.adapters.sqlalchemy import (
    SqlApiKeyRepo,
    SqlFlagRepo,
    SqlOrganizationRepo,
    SqlProjectRepo,
    SqlUnitOfWorkFactory,
    SqlUserRepo,
    create_engine,
    create_sessionmaker,
)
from flagcore.app.settings import Settings
from flagcore.domain.snapshots import SnapshotKind
from flagcore.domain.snapshots.keys import snapshot_key
from tests.integration.faults.proxies import ProxyThread
from tests.integration.http.conftest import World, _serve

BUCKET = "flagcore-faults"
BOOLEAN = {"groups": [{"properties": [], "rollout_percentage": 100}]}
#: Rolled out to nobody: the flag stays in ``/flags`` answers, disabled (an inactive flag would be left out).
NOBODY = {"groups": [{"properties": [], "rollout_percentage": 0}]}


class Records(logging.Handler):
    """Warnings of the ``flagcore`` loggers (the suite may run without pytest's logging plugin, hence no caplog)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())

    def any(self, text: str) -> bool:
        return any(text in message for message in self.messages)


@dataclass
class Stack:
    world: World
    redis: ProxyThread
    s3: ProxyThread
    database: ProxyThread
    redis_client: Redis
    prefix: str
    logs: Records = field(default_factory=Records)

    async def create(self, key: str, **fields: Any) -> dict[str, Any]:
        body = {"key": key, "filters": BOOLEAN, **fields}
        response = await self.world.client.post(self.world.url(), json=body, headers=self.world.auth())
        assert response.status_code == 201, response.text
        return response.json()  # type: ignore[no-any-return]

    async def patch(self, flag_id: int, **fields: Any) -> httpx.Response:
        return await self.world.client.patch(self.world.url(f"{flag_id}/"), json=fields, headers=self.world.auth())

    async def flags(self) -> dict[str, Any]:
        """``/flags?v=2`` for one subject: must answer 200 whatever the fault."""
        body = {"api_key": self.world.project_api_key, "distinct_id": "user-1"}
        response = await self.world.client.post("/flags?v=2", json=body)
        assert response.status_code == 200, response.text
        flags: dict[str, Any] = response.json()["flags"]
        return flags

    async def feed(self, *, personal: bool = False, etag: str | None = None) -> httpx.Response:
        """The definitions feed with the secret key, or a personal API key (as server SDKs poll it)."""
        headers = self.world.auth(None if personal else self.world.secret_key)
        if etag is not None:
            headers["If-None-Match"] = etag
        params = {"token": self.world.project_api_key, "send_cohorts": ""}
        return await self.world.client.get("/flags/definitions", params=params, headers=headers)

    async def feed_keys(self, *, personal: bool = False) -> list[str]:
        response = await self.feed(personal=personal)
        assert response.status_code == 200, response.text
        return [flag["key"] for flag in response.json()["flags"]]

    async def status(self) -> dict[str, Any]:
        response = await self.world.client.get("/_status")
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    async def in_redis(self, kind: SnapshotKind = SnapshotKind.EVALUATION) -> bytes | None:
        value: bytes | None = await self.redis_client.get(snapshot_key(self.prefix, self.world.project_id, kind))
        return value


def _proxy(host: str, port: int) -> Iterator[ProxyThread]:
    proxy = ProxyThread(host, port)
    proxy.start()
    yield proxy
    proxy.stop()


@pytest.fixture
def redis_proxy(redis_url: str) -> Iterator[ProxyThread]:
    url = make_url(redis_url.replace("redis://", "postgresql://", 1))  # a URL parser that keeps host and port
    yield from _proxy(url.host or "127.0.0.1", url.port or 6379)


@pytest.fixture
def s3_proxy(s3_endpoint: str) -> Iterator[ProxyThread]:
    host, _, port = s3_endpoint.rpartition(":")
    yield from _proxy(host, int(port))


@pytest.fixture
def database_proxy(postgres_url: str) -> Iterator[ProxyThread]:
    url = make_url(postgres_url)
    yield from _proxy(url.host or "127.0.0.1", url.port or 5432)


@pytest.fixture
async def stack(
    clean_postgres_url: str,
    redis_url: str,
    redis_key_prefix: str,
    redis_proxy: ProxyThread,
    s3_proxy: ProxyThread,
    database_proxy: ProxyThread,
) -> AsyncIterator[Stack]:
    """The app, seeded like the HTTP suite's ``world``, with its backends behind proxies."""
    proxied_database = make_url(clean_postgres_url).set(host="127.0.0.1", port=database_proxy.port)
    settings = Settings(
        database_url=proxied_database.render_as_string(hide_password=False),
        log_level="warning",
        snapshot_tiers="redis,s3,db",
        snapshot_refresh_s=0,
        redis_url=f"redis://127.0.0.1:{redis_proxy.port}/0",
        redis_prefix=redis_key_prefix,
        redis_timeout_s=0.3,
        s3_endpoint=f"127.0.0.1:{s3_proxy.port}",
        s3_access_key="test",
        s3_secret_key="test",
        s3_bucket=BUCKET,
        s3_secure=False,
        s3_timeout_s=0.5,
    )
    engine = create_engine(clean_postgres_url)  # seeding goes to the database directly, not through the proxy
    sessions = create_sessionmaker(engine)
    repos = {
        "flags": SqlFlagRepo(sessions),
        "organizations": SqlOrganizationRepo(sessions),
        "projects": SqlProjectRepo(sessions),
        "users": SqlUserRepo(sessions),
        "keys": SqlApiKeyRepo(sessions),
    }
    redis_client = Redis.from_url(redis_url, socket_timeout=2.0)
    records = Records()
    flagcore_logger = logging.getLogger("flagcore")
    flagcore_logger.addHandler(records)
    try:
        async with _serve(repos, [], settings, SqlUnitOfWorkFactory(sessions)) as world:
            yield Stack(world, redis_proxy, s3_proxy, database_proxy, redis_client, redis_key_prefix, records)
    finally:
        flagcore_logger.removeHandler(records)
        await redis_client.aclose()
        await engine.dispose()
