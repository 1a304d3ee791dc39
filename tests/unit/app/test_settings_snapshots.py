"""FLAGCORE_SNAPSHOT_TIERS, the Redis and S3 settings, their validation, and the tiers they select."""

from __future__ import annotations

import pytest
from dishka import make_async_container
from dishka.integrations.litestar import LitestarProvider
from minio import Minio

from flagcore.adapters.snapshots import CachedProjectSnapshots, TieredSnapshotStore
from flagcore.app.ioc import SnapshotBackground, get_providers
from flagcore.app.settings import Settings, SettingsError, load_settings
from flagcore.ports.snapshots import ProjectSnapshots

S3 = {
    "FLAGCORE_S3_ENDPOINT": "minio.internal:9000",
    "FLAGCORE_S3_ACCESS_KEY": "access",
    "FLAGCORE_S3_SECRET_KEY": "secret",
    "FLAGCORE_S3_BUCKET": "flagcore-snapshots",
    "FLAGCORE_S3_SECURE": "false",
}
REDIS = {"FLAGCORE_REDIS_URL": "redis://127.0.0.1:6379/0"}


def test_the_default_is_memory_then_database() -> None:
    settings = load_settings({})
    assert settings.tiers == ("memory", "db")
    assert settings.snapshot_ttl_s == 7 * 86400
    assert (settings.redis_url, settings.s3_endpoint, settings.s3_secure) == (None, None, None)


def test_every_tier_with_its_settings() -> None:
    settings = load_settings(
        {"FLAGCORE_SNAPSHOT_TIERS": " Memory, redis ,s3,db", "FLAGCORE_SNAPSHOT_TTL_S": "60", **REDIS, **S3}
    )
    assert settings.tiers == ("memory", "redis", "s3", "db")
    assert settings.snapshot_ttl_s == 60
    assert settings.s3_secure is False
    assert (settings.s3_endpoint, settings.s3_bucket, settings.s3_region) == (
        "minio.internal:9000",
        "flagcore-snapshots",
        "us-east-1",
    )


def test_the_database_alone_is_allowed() -> None:
    assert load_settings({"FLAGCORE_SNAPSHOT_TIERS": "db"}).tiers == ("db",)


@pytest.mark.parametrize(
    ("tiers", "fragment"),
    [
        ("memory,redis", "must end with db"),
        ("memory", "must end with db"),
        ("db,memory", "must end with db"),
        ("memory,memory,db", "names a tier twice"),
        ("redis,memory,db", "out of order"),
        ("s3,redis,db", "out of order"),
        ("memcached,db", "unknown tier(s) 'memcached'"),
        ("", "unknown tier(s) ''"),
        ("memory,,db", "unknown tier(s) ''"),
    ],
)
def test_invalid_tier_lists_stop_start_up_naming_the_variable(tiers: str, fragment: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings({"FLAGCORE_SNAPSHOT_TIERS": tiers, **REDIS, **S3})
    assert str(caught.value).startswith("FLAGCORE_SNAPSHOT_TIERS: ")
    assert fragment in str(caught.value)


def test_the_redis_tier_requires_a_redis_url() -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings({"FLAGCORE_SNAPSHOT_TIERS": "redis,db"})
    assert str(caught.value).startswith("FLAGCORE_REDIS_URL: required when FLAGCORE_SNAPSHOT_TIERS includes redis")


@pytest.mark.parametrize("url", ["http://127.0.0.1:6379", "127.0.0.1:6379", "postgres://x"])
def test_a_redis_url_is_checked_whenever_set(url: str) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings({"FLAGCORE_REDIS_URL": url})
    assert str(caught.value).startswith("FLAGCORE_REDIS_URL: ")


@pytest.mark.parametrize("url", ["redis://127.0.0.1:6379/0", "rediss://cache:6380", "unix:///run/redis.sock"])
def test_redis_url_forms(url: str) -> None:
    assert load_settings({"FLAGCORE_SNAPSHOT_TIERS": "redis,db", "FLAGCORE_REDIS_URL": url}).redis_url == url


def test_the_s3_tier_names_every_missing_variable() -> None:
    partial = {"FLAGCORE_S3_ENDPOINT": "minio:9000", "FLAGCORE_S3_BUCKET": "abc"}
    with pytest.raises(SettingsError) as caught:
        load_settings({"FLAGCORE_SNAPSHOT_TIERS": "s3,db", **partial})
    message = str(caught.value)
    assert message.startswith("FLAGCORE_S3_ACCESS_KEY, FLAGCORE_S3_SECRET_KEY, FLAGCORE_S3_SECURE: required when")
    assert "FLAGCORE_S3_ENDPOINT" not in message


def test_s3_secure_is_never_guessed() -> None:
    without_secure = {k: v for k, v in S3.items() if k != "FLAGCORE_S3_SECURE"}
    with pytest.raises(SettingsError, match=r"^FLAGCORE_S3_SECURE: required"):
        load_settings({"FLAGCORE_SNAPSHOT_TIERS": "s3,db", **without_secure})


def test_s3_settings_are_not_required_without_the_s3_tier() -> None:
    assert load_settings({"FLAGCORE_S3_ENDPOINT": "minio:9000"}).s3_endpoint == "minio:9000"


@pytest.mark.parametrize("bucket", ["ab", "Flags", "-flags", "flags-", "fl_ags", "a" * 64])
def test_invalid_bucket_names_are_refused(bucket: str) -> None:
    with pytest.raises(SettingsError, match=r"^FLAGCORE_S3_BUCKET: "):
        load_settings({"FLAGCORE_SNAPSHOT_TIERS": "s3,db", **S3, "FLAGCORE_S3_BUCKET": bucket})


@pytest.mark.parametrize("bucket", ["abc", "flag.core-1", "a" * 63])
def test_valid_bucket_names(bucket: str) -> None:
    assert load_settings({**S3, "FLAGCORE_S3_BUCKET": bucket}).s3_bucket == bucket


@pytest.mark.parametrize("endpoint", ["http://minio:9000", "minio:9000/path", "minio:port", "user@minio:9000", ":9000"])
def test_an_s3_endpoint_is_host_and_port_only(endpoint: str) -> None:
    with pytest.raises(SettingsError, match=r"^FLAGCORE_S3_ENDPOINT: "):
        load_settings({**S3, "FLAGCORE_S3_ENDPOINT": endpoint})


@pytest.mark.parametrize(
    ("name", "value"),
    [("FLAGCORE_SNAPSHOT_TTL_S", "0"), ("FLAGCORE_REDIS_TIMEOUT_S", "-1"), ("FLAGCORE_S3_TIMEOUT_S", "x")],
)
def test_invalid_numbers_name_their_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=f"^{name}: "):
        load_settings({name: value})


async def test_the_default_tiers_serve_snapshots_without_redis_or_s3() -> None:
    settings = Settings(database_url="memory://")
    container = make_async_container(*get_providers(settings), LitestarProvider(), context={Settings: settings})
    try:
        snapshots = await container.get(ProjectSnapshots)
        assert isinstance(snapshots, CachedProjectSnapshots)
        assert await container.get(CachedProjectSnapshots) is snapshots
        assert list((await container.get(TieredSnapshotStore)).stats()) == ["memory", "db"]
        assert await container.get(SnapshotBackground) == SnapshotBackground(None)
    finally:
        await container.close()


@pytest.mark.redis
@pytest.mark.s3
async def test_redis_and_s3_tiers_are_wired_and_the_listener_runs(redis_url: str, s3_endpoint: str) -> None:
    settings = Settings(
        database_url="memory://",
        snapshot_tiers="redis,s3,db",
        redis_url=redis_url,
        s3_endpoint=s3_endpoint,
        s3_access_key="test",
        s3_secret_key="test",
        s3_bucket="wired-bucket",
        s3_secure=False,
    )
    container = make_async_container(*get_providers(settings), LitestarProvider(), context={Settings: settings})
    try:
        background = await container.get(SnapshotBackground)
        assert background.listener is not None
        assert background.listener.subscribed
        assert list((await container.get(TieredSnapshotStore)).stats()) == ["redis", "s3", "db"]
        # The bucket is created at start-up, before anything is stored.
        assert Minio(s3_endpoint, access_key="test", secret_key="test", secure=False).bucket_exists("wired-bucket")
    finally:
        await container.close()


def test_the_redis_ingestion_queue_requires_a_redis_url() -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings({"FLAGCORE_INGESTION_QUEUE": "redis"})
    assert "FLAGCORE_INGESTION_QUEUE is redis" in str(caught.value)
    assert load_settings({"FLAGCORE_INGESTION_QUEUE": "redis", **REDIS}).ingestion_queue == "redis"
