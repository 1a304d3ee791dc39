"""Snapshot cache benchmark: the serving paths with the tiers ``redis,s3,db``, and the cold build of a large snapshot.

Run from the repository root: ``.venv/bin/python benchmarks/bench_snapshot.py`` (about 2 minutes; needs ``wrk``, the
PostgreSQL server of the test suite, whose role may create databases, and Redis at 127.0.0.1:6379). It creates a
throwaway PostgreSQL database, starts moto's S3 server in this process and uses a Redis key prefix of its own, all
removed at the end; then ``flagcore serve`` (granian, 2 workers) runs with ``FLAGCORE_SNAPSHOT_TIERS=redis,s3,db``.

Projects: the one ``flagcore init`` makes, with 50 flags created through the API (``/flags`` as in
``bench_http.py``); one with 1,000 flags and one with 10,000, inserted through the flag repository directly.

- wrk (loopback, bounded): ``GET /_health`` (baseline, before and after), the definitions feed of the 1,000-flag
  project (200 and 304) and ``POST /flags?v=2`` on the 50-flag project, each as a ratio to the baseline;
- cold build of the 10,000-flag snapshot: the database tier's build alone, the first fetch through the tiers
  (Redis and S3 empty: build, then refill S3 and Redis), the next fetch (a Redis hit), and the server's first
  feed request for that project (its tiers empty as well).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

import asyncpg
import httpx
from bench_http import (
    CONNECTIONS,
    FLAGS_LUA,
    THREADS,
    _cli,
    _flags,
    _free_port,
    _wrk,
    print_table,
    wait_healthy,
)
from moto.server import ThreadedMotoServer
from redis.asyncio import Redis
from sqlalchemy.engine import make_url

from flagcore.adapters.minio import MinioSnapshotStore
from flagcore.adapters.redis import RedisSnapshotStore
from flagcore.adapters.snapshots import DatabaseSnapshotSource, Tier, TieredSnapshotStore
from flagcore.adapters.sqlalchemy import (
    SqlFlagRepo,
    SqlGroupTypeRepo,
    SqlProjectRepo,
    create_engine,
    create_sessionmaker,
)
from flagcore.app.flags.changes import new_flag_filters
from flagcore.domain.flags.model import NewFlag
from flagcore.domain.identity import ProjectSecretKey, hash_secret, mask_secret
from flagcore.domain.snapshots import SnapshotKind

ADMIN_URL = os.environ.get("FLAGCORE_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("FLAGCORE_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
FEED_FLAGS = 1_000
COLD_FLAGS = 10_000
BUILD_REPEATS = 3
BUCKET = "flagcore-bench"


class Backends:
    """The throwaway database, moto's S3 and the Redis prefix of one run."""

    def __init__(self) -> None:
        self.database = f"flagcore_bench_snapshot_{os.getpid()}"
        self.url = (
            make_url(ADMIN_URL)
            .set(drivername="postgresql+asyncpg", database=self.database)
            .render_as_string(hide_password=False)
        )
        self.prefix = f"flagcore-bench:{uuid.uuid4().hex}:"
        self.s3 = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self.s3_endpoint = ""

    async def __aenter__(self) -> Self:
        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's server logs every request otherwise
        await _admin(f'CREATE DATABASE "{self.database}"')
        self.s3.start()
        host, port = self.s3.get_host_and_port()
        self.s3_endpoint = f"{host}:{port}"
        return self

    async def __aexit__(self, *_: object) -> None:
        self.s3.stop()
        client = Redis.from_url(REDIS_URL)
        keys = [key async for key in client.scan_iter(match=f"{self.prefix}*", count=1000)]
        if keys:
            await client.delete(*keys)
        await client.aclose()
        await _admin(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')

    def env(self) -> dict[str, str]:
        return {
            **{k: v for k, v in os.environ.items() if not k.startswith("FLAGCORE_")},
            "FLAGCORE_DATABASE_URL": self.url,
            "FLAGCORE_LOG_LEVEL": "warning",
            # The feed is throttled at 600/minute per project by default: a throughput benchmark would measure 429s.
            "FLAGCORE_RATE_LIMITS_ENABLED": "false",
            "FLAGCORE_SNAPSHOT_TIERS": "redis,s3,db",
            "FLAGCORE_REDIS_URL": REDIS_URL,
            "FLAGCORE_REDIS_PREFIX": self.prefix,
            "FLAGCORE_S3_ENDPOINT": self.s3_endpoint,
            "FLAGCORE_S3_ACCESS_KEY": "bench",
            "FLAGCORE_S3_SECRET_KEY": "bench",
            "FLAGCORE_S3_BUCKET": BUCKET,
            "FLAGCORE_S3_SECURE": "false",
        }


async def _admin(statement: str) -> None:
    connection = await asyncpg.connect(ADMIN_URL, timeout=5)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


async def _project_with_flags(url: str, organization_id: str, count: int) -> tuple[int, str, str]:
    """A new project with ``count`` flags inserted through the repository: (id, public token, secret key)."""
    engine = create_engine(url)
    sessions = create_sessionmaker(engine)
    projects, flags = SqlProjectRepo(sessions), SqlFlagRepo(sessions)
    now = datetime.now(UTC)
    token, secret = f"phc_bench{uuid.uuid4().hex}", f"phs_bench{uuid.uuid4().hex}"
    project = await projects.create(
        organization_id=organization_id, name=f"{count} flags", api_token=token, timezone="UTC", created_at=now
    )
    await projects.add_secret_key(
        ProjectSecretKey(
            id=uuid.uuid4().hex,
            project_id=project.id,
            label="bench",
            secure_value=hash_secret(secret),
            mask_value=mask_secret(secret),
            created_at=now,
        )
    )
    batch: list[NewFlag] = []
    for index in range(count):
        template = _flags(random.Random(index // 50))[index % 50]
        batch.append(_new_flag(project.id, f"{template['key']}-{index:05d}", template["filters"], now))
        if len(batch) == 20:
            await asyncio.gather(*(flags.create(flag) for flag in batch))
            batch.clear()
    await asyncio.gather(*(flags.create(flag) for flag in batch))
    await engine.dispose()
    return project.id, token, secret


def _new_flag(project_id: int, key: str, filters: dict[str, Any], now: datetime) -> NewFlag:
    return NewFlag(
        project_id=project_id,
        key=key,
        name=key,
        filters=new_flag_filters(filters),
        active=True,
        ensure_experience_continuity=False,
        evaluation_runtime="all",
        bucketing_identifier="distinct_id",
        is_remote_configuration=False,
        has_encrypted_payloads=False,
        tags=(),
        evaluation_tags=(),
        created_at=now,
        created_by_id=None,
    )


async def _cold_build(backends: Backends, project_id: int) -> dict[str, float]:
    """Milliseconds: the database tier's build (best of a few), then a cold and a warm fetch through the tiers."""
    import urllib3  # noqa: PLC0415 - only this measurement needs a client of its own
    from minio import Minio  # noqa: PLC0415

    engine = create_engine(backends.url)
    sessions = create_sessionmaker(engine)
    database = DatabaseSnapshotSource(SqlFlagRepo(sessions), SqlGroupTypeRepo(sessions), SqlProjectRepo(sessions))
    builds = []
    for _ in range(BUILD_REPEATS):
        started = time.perf_counter()
        snapshot = await database.build(project_id, SnapshotKind.EVALUATION)
        builds.append((time.perf_counter() - started) * 1000)
    assert snapshot is not None
    redis = Redis.from_url(REDIS_URL)
    http = urllib3.PoolManager(timeout=urllib3.Timeout(connect=5, read=30))
    minio = Minio(
        backends.s3_endpoint,
        access_key="bench",
        secret_key="bench",  # noqa: S106 - moto accepts any
        secure=False,
        region="us-east-1",
        http_client=http,
    )
    s3 = MinioSnapshotStore(minio, bucket=BUCKET, ttl_s=3600, key_prefix="cold/")
    await s3.ensure_bucket()
    prefix = f"{backends.prefix}cold:"
    tiers = [
        Tier("redis", RedisSnapshotStore(redis, ttl_s=3600, key_prefix=prefix)),
        Tier("s3", s3),
    ]
    tiered = TieredSnapshotStore(tiers, database)
    started = time.perf_counter()
    await tiered.get(project_id, SnapshotKind.EVALUATION)
    cold = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    await tiered.get(project_id, SnapshotKind.EVALUATION)
    warm = (time.perf_counter() - started) * 1000
    await redis.aclose()
    await engine.dispose()
    return {
        "build_ms": statistics.median(builds),
        "build_min_ms": min(builds),
        "cold_ms": cold,
        "warm_ms": warm,
        "bytes": len(snapshot.body),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="measured seconds per wrk scenario (default 10)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is required: apt-get install wrk")
    asyncio.run(_main(args.seconds))


async def _main(seconds: int) -> None:
    async with Backends() as backends:
        env = backends.env()
        _cli(env, "migrate")
        creds = json.loads(_cli(env, "init", "--json"))
        feed_project = await _project_with_flags(backends.url, creds["organization_id"], FEED_FLAGS)
        cold_project = await _project_with_flags(backends.url, creds["organization_id"], COLD_FLAGS)
        cold = await _cold_build(backends, cold_project[0])
        port = _free_port()
        server = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "flagcore", "serve", "--port", str(port), "--workers", "2", env=env
        )
        try:
            # wrk and the HTTP client block: run them off the loop (moto's server lives in this process).
            rows, first_feed_ms = await asyncio.to_thread(
                _serve_scenarios, f"http://127.0.0.1:{port}", creds, feed_project, cold_project, seconds
            )
        finally:
            server.terminate()
            await asyncio.wait_for(server.wait(), timeout=15)
    _report(rows, cold, first_feed_ms, seconds)


def _serve_scenarios(
    base: str,
    creds: dict[str, Any],
    feed_project: tuple[int, str, str],
    cold_project: tuple[int, str, str],
    seconds: int,
) -> tuple[dict[str, dict[str, float]], float]:
    wait_healthy(base)
    with httpx.Client(base_url=base, timeout=30) as client:
        auth = {"Authorization": f"Bearer {creds['personal_api_key']}"}
        for flag in _flags(random.Random(7)):
            client.post("/api/projects/@current/feature_flags/", json=flag, headers=auth).raise_for_status()
        _, cold_token, cold_secret = cold_project
        # The server's tiers (its own Redis prefix and S3 objects) hold nothing for this project yet: a cold fetch.
        started = time.perf_counter()
        client.get(
            "/flags/definitions", params={"token": cold_token}, headers={"Authorization": f"Bearer {cold_secret}"}
        ).raise_for_status()
        first_feed_ms = (time.perf_counter() - started) * 1000
        _, feed_token, feed_secret = feed_project
        feed = client.get(
            "/flags/definitions", params={"token": feed_token}, headers={"Authorization": f"Bearer {feed_secret}"}
        )
        feed.raise_for_status()
        assert len(feed.json()["flags"]) == FEED_FLAGS
        etag = feed.headers["etag"]
    workdir = Path(tempfile.mkdtemp(prefix="flagcore-bench-"))
    script = workdir / "flags.lua"
    script.write_text(f'TOKEN = "{creds["project_api_key"]}"\nEXTRA = ""\n' + FLAGS_LUA)
    secret = {"Authorization": f"Bearer {feed_secret}"}
    feed_url = f"{base}/flags/definitions?token={feed_token}"
    _wrk(f"{base}/_health", 2)  # warm both workers
    rows = {
        "hello world (GET /_health)": _wrk(f"{base}/_health", seconds),
        "feed 200 (1,000 flags)": _wrk(feed_url, seconds, headers=secret),
        "feed 200 gzip (1,000 flags)": _wrk(feed_url, seconds, headers={**secret, "Accept-Encoding": "gzip"}),
        "feed 304 (1,000 flags)": _wrk(feed_url, seconds, headers={**secret, "If-None-Match": etag}),
        "POST /flags?v=2 (50 flags)": _wrk(base, seconds, script=str(script)),
        "hello world again": _wrk(f"{base}/_health", seconds),
    }
    shutil.rmtree(workdir, ignore_errors=True)
    return rows, first_feed_ms


def _report(rows: dict[str, dict[str, float]], cold: dict[str, float], first_feed_ms: float, seconds: int) -> None:
    print_table(
        rows,
        setup=f"tiers redis,s3,db on PostgreSQL; granian 2 workers, wrk -t{THREADS} -c{CONNECTIONS} -d{seconds}s, "
        "loopback",
    )
    print(f"\n{COLD_FLAGS:,}-flag snapshot ({cold['bytes'] / 1e6:.1f} MB, evaluation kind):")
    print(f"  database tier build: median {cold['build_ms']:.0f} ms, best {cold['build_min_ms']:.0f} ms")
    print(f"  first fetch through redis,s3,db (both empty: build + refill S3 and Redis): {cold['cold_ms']:.0f} ms")
    print(f"  next fetch (Redis hit): {cold['warm_ms']:.0f} ms")
    print(f"  first GET /flags/definitions of it from the server (cold tiers, over HTTP): {first_feed_ms:.0f} ms")


if __name__ == "__main__":
    main()
