"""Settings from ``FLAGCORE_*`` environment variables, parsed and validated in one place.

A bad value stops start-up with a message naming the variable, instead of failing later on first use.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Annotated, Final, Literal
from urllib.parse import urlsplit

import msgspec

from flagcore.app.origins import parse_origins
from flagcore.domain.quota import InvalidRateError, Rate, parse_rate

ENV_PREFIX: Final = "FLAGCORE_"
_TEST_PREFIX: Final = "FLAGCORE_TEST_"
MEMORY_DATABASE_URL: Final = "memory://"
_DRIVER_ALIASES: Final = {
    "sqlite://": "sqlite+aiosqlite://",
    "postgresql://": "postgresql+asyncpg://",
    "postgres://": "postgresql+asyncpg://",
    # One MySQL/MariaDB driver serves every MySQL URL form (docs/mysql.md says why asyncmy).
    "mysql://": "mysql+asyncmy://",
    "mysql+aiomysql://": "mysql+asyncmy://",
    "mariadb://": "mysql+asyncmy://",
    "mariadb+asyncmy://": "mysql+asyncmy://",
}
_SUPPORTED_SCHEMES: Final = ("sqlite+aiosqlite://", "postgresql+asyncpg://", "mysql+asyncmy://", MEMORY_DATABASE_URL)
#: Snapshot tiers in the only order they may appear; ``db`` (the source) must come last.
SNAPSHOT_TIERS: Final = ("memory", "redis", "s3", "db")
_REDIS_SCHEMES: Final = ("redis://", "rediss://", "unix://")
# S3 bucket naming rules (3 to 63 characters; lowercase letters, digits, dots and hyphens; alphanumeric ends).
_BUCKET: Final = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_S3_REQUIRED: Final = ("s3_endpoint", "s3_access_key", "s3_secret_key", "s3_bucket", "s3_secure")


class SettingsError(ValueError):
    """A setting is missing or invalid; the message names the environment variable."""


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    """flagcore's configuration. Field ``x`` is read from ``FLAGCORE_X``."""

    #: ``sqlite+aiosqlite:///path.db``, ``postgresql+asyncpg://user:password@host:5432/db``,
    #: ``mysql+asyncmy://user:password@host:3306/db`` (MySQL 8, MariaDB 10.11; see docs/mysql.md), or ``memory://``
    #: (one process, lost on exit). ``sqlite://``, ``postgresql://``, ``mysql://``, ``mysql+aiomysql://`` and
    #: ``mariadb://`` are mapped to these drivers.
    database_url: str = "sqlite+aiosqlite:///./flagcore.db"
    #: Address ``flagcore serve`` binds (``0.0.0.0`` for every interface, e.g. in a container).
    host: str = "127.0.0.1"
    #: Port ``flagcore serve`` listens on.
    port: Annotated[int, msgspec.Meta(ge=1, le=65535)] = 8000
    #: granian worker processes; metrics are then aggregated across them (Prometheus multi-process mode).
    workers: Annotated[int, msgspec.Meta(ge=1, le=64)] = 1
    #: Level of the application's log lines (access lines have their own switch, ``access_log``).
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    #: Litestar's debug mode: tracebacks in error responses. Never in production.
    debug: bool = False
    #: With memory storage: the admin's UI password set when the defaults are created at start (default: a
    #: generated one, printed once with the other credentials). For a database, use ``flagcore init --password``.
    ui_password: str | None = None
    #: Mark the admin UI's session cookie ``Secure`` (sent over HTTPS only). Turn on behind TLS.
    ui_secure_cookie: bool = False
    #: Who answers my_flags / evaluation_reasons: the in-process engine, or a ``/flags?v=2`` service over HTTP.
    evaluator: Literal["local", "http"] = "local"
    #: Base URL of that service (``http``/``https``); required when ``evaluator`` is ``http``.
    evaluator_url: str | None = None
    #: Seconds the whole request to that service may take before the API answers 504 (PostHog's proxy uses 3).
    evaluator_timeout_s: Annotated[float, msgspec.Meta(gt=0, le=300)] = 3.0
    #: How long a process may serve a project's snapshot before checking the store again (0: check every time).
    snapshot_refresh_s: Annotated[float, msgspec.Meta(ge=0, le=3600)] = 1.0
    #: Where snapshots are kept, read in this order: any of ``memory``, ``redis``, ``s3``, then ``db`` (the source).
    snapshot_tiers: str = "memory,db"
    #: Lifetime of a snapshot in Redis and S3, a backstop behind explicit invalidation (PostHog: 7 days).
    snapshot_ttl_s: Annotated[float, msgspec.Meta(gt=0, le=90 * 86400)] = 7 * 86400.0
    #: Redis for the ``redis`` tier and cross-instance invalidation (``redis://host:6379/0``).
    redis_url: str | None = None
    #: Seconds a Redis command may take before the tier is skipped: short, so a hung Redis fails fast.
    redis_timeout_s: Annotated[float, msgspec.Meta(gt=0, le=60)] = 0.5
    #: Prepended to every Redis key and the invalidation channel, so deployments (or tests) can share one Redis.
    redis_prefix: Annotated[str, msgspec.Meta(max_length=200)] = ""
    #: The S3 endpoint for the ``s3`` tier as ``host[:port]`` (no scheme: see ``s3_secure``).
    s3_endpoint: str | None = None
    #: Credentials of the S3 bucket; required with the ``s3`` tier.
    s3_access_key: str | None = None
    #: Secret of ``s3_access_key``; required with the ``s3`` tier.
    s3_secret_key: str | None = None
    #: Bucket of the ``s3`` tier, created if missing; required with that tier.
    s3_bucket: str | None = None
    #: HTTPS (true) or plain HTTP (false) to the S3 endpoint; required with the ``s3`` tier, never guessed.
    s3_secure: bool | None = None
    #: Region the S3 client signs for (always sent, so the client makes no extra round trip to find it).
    s3_region: str = "us-east-1"
    #: Seconds an S3 call may take (connect and read, each) before the tier is skipped.
    s3_timeout_s: Annotated[float, msgspec.Meta(gt=0, le=60)] = 2.0
    #: Browser origins (``https://admin.example.com``, comma-separated) allowed to call the management API and the
    #: definitions feed; empty: none. ``/flags`` and ``/decide`` allow every origin whatever this says.
    cors_origins: str = ""
    #: Where captured events wait for ingestion: this process's memory (lost on a crash), or Redis (shared by every
    #: process and instance, survives restarts, keeps one person's events in order across processes; needs
    #: ``redis_url``).
    ingestion_queue: Literal["memory", "redis"] = "memory"
    #: Captured events waiting for ingestion, at most; a capture request that does not fit answers 503 (SDKs retry).
    ingestion_queue_size: Annotated[int, msgspec.Meta(ge=1, le=10_000_000)] = 100_000
    #: Events applied to persons and groups per transaction by the ingestion worker.
    ingestion_batch_size: Annotated[int, msgspec.Meta(ge=1, le=10_000)] = 500
    #: Seconds a shutting-down process keeps applying queued events before it stops (what is left is lost).
    ingestion_drain_s: Annotated[float, msgspec.Meta(ge=0, le=600)] = 10.0
    #: Seconds between runs of the change-request expiry and staleness check in each serving process (0: never;
    #: then run ``flagcore change-requests expire`` from cron). Safe on several instances: each request expires once.
    change_request_expiry_s: Annotated[float, msgspec.Meta(ge=0, le=86_400)] = 300.0
    #: Log lines as plain text, or one JSON object per line (for log shippers).
    log_format: Literal["text", "json"] = "text"
    #: One access line per request (method, route template, status, duration, request id); never keys or payloads.
    access_log: bool = True
    #: Prometheus metrics on ``/metrics``.
    metrics: bool = True
    #: ``flagcore_flag_evaluations_total`` counts the flag results of 1 request in N (a counted request's results
    #: count N times each): counting 50 results by reason costs about 4% of a ``/flags`` request, sampled 1 in 16
    #: about 0.3%. 1 counts every request exactly; request counts and durations are always exact.
    metrics_evaluation_sample: Annotated[int, msgspec.Meta(ge=1, le=1024)] = 16
    #: When set, ``/metrics`` and ``/_status`` require ``Authorization: Bearer <token>``; unset, anyone may read them.
    metrics_token: Annotated[str, msgspec.Meta(max_length=500)] | None = None
    #: Fernet keys encrypting ``has_encrypted_payloads`` payloads, comma-separated: the first encrypts, all decrypt
    #: (rotation: put a new key first, keep the old ones until re-encrypted). Generate one with
    #: ``python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"``.
    encryption_keys: Annotated[str, msgspec.Meta(max_length=10_000)] | None = None
    #: A posthog-js ``array.js`` bundle file served on ``/array/{token}/array.js``; unset, that route answers 404.
    posthog_js_path: str | None = None

    #: Count feature flag requests per organization and apply the limits set with ``flagcore quota set``.
    quotas_enabled: bool = True
    #: How long a process trusts an organization's quota status before reading it again (PostHog: 30 s).
    quota_check_s: Annotated[float, msgspec.Meta(ge=0, le=3600)] = 30.0
    #: How often a process flushes the usage it counted to the counter store (Redis if set, else the database).
    quota_flush_s: Annotated[float, msgspec.Meta(gt=0, le=300)] = 1.0
    #: Throttles: personal API keys on the management API, and per project on the definitions feed and remote
    #: config (429). Shared by every instance through Redis when ``redis_url`` is set; per process otherwise.
    rate_limits_enabled: bool = True
    #: Personal-API-key management requests per key, short window (PostHog's burst throttle).
    rate_limit_burst: str = "480/minute"
    #: Personal-API-key management requests per key, long window (PostHog's sustained throttle).
    rate_limit_sustained: str = "4800/hour"
    #: Definitions feed requests per project.
    rate_limit_feed: str = "600/minute"
    #: Per-project feed overrides as JSON, ``{"<project id>": "1200/minute"}`` (PostHog's LOCAL_EVAL_RATE_LIMITS).
    rate_limit_feed_projects: str = ""
    #: Remote config requests per project.
    rate_limit_remote_config: str = "600/minute"
    #: Per-project remote config overrides as JSON (PostHog's REMOTE_CONFIG_RATE_LIMITS).
    rate_limit_remote_config_projects: str = ""

    #: Run due scheduled changes in this process (every instance may: each change runs once). Off: only
    #: ``flagcore scheduled-changes run`` (from cron, say) runs them.
    scheduled_changes_enabled: bool = True
    #: Seconds between two looks for due scheduled changes (PostHog: 120). A change runs at most this late.
    scheduled_changes_interval_s: Annotated[float, msgspec.Meta(gt=0, le=3600)] = 60.0
    #: Seconds before a scheduled change whose run failed (recoverably) is tried again; 5 attempts in all.
    scheduled_changes_retry_s: Annotated[float, msgspec.Meta(gt=0, le=86400)] = 120.0

    #: A seed file (JSON or YAML, see docs/testing.md) loaded at start-up by a memory-storage server: organizations,
    #: projects with fixed keys, flags. Only with ``memory://``; a database is seeded once with ``flagcore seed load``.
    seed: str | None = None
    #: A fixed instant (ISO 8601 with an offset, ``2026-01-01T00:00:00Z``) the server's clock reads forever, so
    #: relative-date conditions and timestamps are deterministic in tests. Unset: the system clock.
    now: str | None = None

    def __post_init__(self) -> None:
        _check_rates(self)
        _parse_now(self.now)
        if self.seed is not None and self.database_url != MEMORY_DATABASE_URL:
            msg = (
                f"{ENV_PREFIX}SEED needs {ENV_PREFIX}DATABASE_URL={MEMORY_DATABASE_URL} (a database keeps what a seed "
                "wrote: seed it once with `flagcore seed load FILE`)"
            )
            raise SettingsError(msg)
        if not self.database_url.startswith(_SUPPORTED_SCHEMES):
            msg = (
                f"{ENV_PREFIX}DATABASE_URL: unsupported URL {self.database_url!r}; use sqlite+aiosqlite:///path.db, "
                "postgresql+asyncpg://user:password@host:port/db, mysql+asyncmy://user:password@host:port/db, "
                f"or {MEMORY_DATABASE_URL} (data lost on exit)"
            )
            raise SettingsError(msg)
        _check_evaluator_url(self.evaluator, self.evaluator_url)
        tiers = _parse_tiers(self.snapshot_tiers)
        _check_redis_url(self.redis_url, required="redis" in tiers or self.ingestion_queue == "redis")
        _check_s3(self, required="s3" in tiers)
        _parse_encryption_keys(self.encryption_keys)
        try:
            parse_origins(self.cors_origins)
        except ValueError as exc:
            raise SettingsError(f"{ENV_PREFIX}CORS_ORIGINS: {exc}") from None

    @property
    def uses_memory_storage(self) -> bool:
        return self.database_url == MEMORY_DATABASE_URL

    @property
    def allowed_origins(self) -> frozenset[str]:
        """``cors_origins`` as the ``Origin`` header values browsers send (``scheme://host[:port]``)."""
        return parse_origins(self.cors_origins)

    @property
    def encryption_key_list(self) -> tuple[str, ...]:
        """``encryption_keys`` as validated keys, the encrypting one first (empty: no encryption)."""
        return _parse_encryption_keys(self.encryption_keys)

    @property
    def fixed_now(self) -> datetime | None:
        """``now`` as an aware datetime, or None for the system clock."""
        return _parse_now(self.now)

    @property
    def tiers(self) -> tuple[str, ...]:
        """``snapshot_tiers`` as validated names, e.g. ``("redis", "s3", "db")``."""
        return _parse_tiers(self.snapshot_tiers)


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read settings from ``environ`` (default: the process environment).

    An unknown ``FLAGCORE_*`` variable is an error, not ignored: a misspelt ``FLAGCORE_DATABSE_URL`` would otherwise
    start the service on the embedded default database. ``FLAGCORE_TEST_*`` is reserved for the test suite.

    Raises:
        SettingsError: an unknown ``FLAGCORE_*`` variable or an invalid value, naming the variable.
    """
    env = os.environ if environ is None else environ
    fields = {f.name for f in msgspec.structs.fields(Settings)}
    raw: dict[str, str] = {}
    unknown: list[str] = []
    for name, value in env.items():
        if not name.startswith(ENV_PREFIX) or name.startswith(_TEST_PREFIX):
            continue
        field = name.removeprefix(ENV_PREFIX).lower()
        if field in fields:
            raw[field] = value
        else:
            unknown.append(name)
    if unknown:
        known = ", ".join(sorted(ENV_PREFIX + f.upper() for f in fields))
        msg = f"unknown setting(s) {', '.join(sorted(unknown))}; known settings: {known}"
        raise SettingsError(msg)
    if "database_url" in raw:
        raw["database_url"] = _normalize_database_url(raw["database_url"])
    try:
        return msgspec.convert(raw, Settings, strict=False)
    except msgspec.ValidationError as exc:
        raise SettingsError(_explain(exc)) from None


_FERNET_KEY: Final = re.compile(r"[A-Za-z0-9_-]{43}=")


def _parse_now(value: str | None) -> datetime | None:
    if value is None or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise SettingsError(f"{ENV_PREFIX}NOW: {value!r} is not an ISO 8601 instant (2026-01-01T00:00:00Z)") from None
    if parsed.tzinfo is None:
        raise SettingsError(f"{ENV_PREFIX}NOW: {value!r} has no UTC offset; add Z or +00:00") from None
    return parsed.astimezone(UTC)


def _parse_encryption_keys(value: str | None) -> tuple[str, ...]:
    keys = tuple(key.strip() for key in (value or "").split(",") if key.strip())
    for position, key in enumerate(keys, start=1):
        # A Fernet key is 32 bytes in urlsafe base64: 43 characters and one "=". The key itself is never echoed.
        if not _FERNET_KEY.fullmatch(key):
            msg = f"{ENV_PREFIX}ENCRYPTION_KEYS: key {position} is not a Fernet key (32 bytes, urlsafe base64)"
            raise SettingsError(msg)
    return keys


def parse_project_rates(name: str, value: str) -> dict[int, Rate]:
    """A JSON object of project id to rate (``{"12": "1200/minute"}``); empty text is no override.

    Raises:
        SettingsError: not such an object, naming ``FLAGCORE_<name>``.
    """
    if not value.strip():
        return {}
    try:
        raw = msgspec.json.decode(value, type=dict[int, str])
        return {project: parse_rate(rate) for project, rate in raw.items()}
    except (msgspec.ValidationError, msgspec.DecodeError, InvalidRateError) as exc:
        msg = f'{ENV_PREFIX}{name.upper()}: {exc}; give a JSON object such as {{"12": "1200/minute"}}'
        raise SettingsError(msg) from None


def _check_rates(settings: Settings) -> None:
    for name in ("rate_limit_burst", "rate_limit_sustained", "rate_limit_feed", "rate_limit_remote_config"):
        try:
            parse_rate(getattr(settings, name))
        except InvalidRateError as exc:
            raise SettingsError(f"{ENV_PREFIX}{name.upper()}: {exc.detail}") from None
    parse_project_rates("rate_limit_feed_projects", settings.rate_limit_feed_projects)
    parse_project_rates("rate_limit_remote_config_projects", settings.rate_limit_remote_config_projects)


def _check_evaluator_url(evaluator: str, url: str | None) -> None:
    # Checked whenever set, so a typo is caught before someone switches the evaluator to http.
    if not url:  # an empty variable (as compose files render unset ones) counts as unset
        if evaluator == "http":
            msg = (
                f"{ENV_PREFIX}EVALUATOR_URL: required when {ENV_PREFIX}EVALUATOR=http (e.g. http://flags.internal:8000)"
            )
            raise SettingsError(msg)
        return
    if not _is_http_base_url(url):
        msg = (
            f"{ENV_PREFIX}EVALUATOR_URL: {url!r} is not an http(s) base URL; use e.g. http://flags.internal:8000 "
            "(the evaluator POSTs to <url>/flags?v=2)"
        )
        raise SettingsError(msg)


def _parse_tiers(value: str) -> tuple[str, ...]:
    name = f"{ENV_PREFIX}SNAPSHOT_TIERS"
    tiers = tuple(part.strip().lower() for part in value.split(","))
    unknown = [tier for tier in tiers if tier not in SNAPSHOT_TIERS]
    if unknown:
        msg = f"{name}: unknown tier(s) {', '.join(map(repr, unknown))}; choose from {', '.join(SNAPSHOT_TIERS)}"
        raise SettingsError(msg)
    if len(set(tiers)) != len(tiers):
        msg = f"{name}: {value!r} names a tier twice"
        raise SettingsError(msg)
    if tiers[-1] != "db":
        msg = f"{name}: {value!r} must end with db, the source every other tier is filled from (e.g. redis,s3,db)"
        raise SettingsError(msg)
    if list(tiers) != sorted(tiers, key=SNAPSHOT_TIERS.index):
        msg = f"{name}: {value!r} is out of order; tiers go from fastest to slowest: memory, redis, s3, db"
        raise SettingsError(msg)
    return tiers


def _check_redis_url(url: str | None, *, required: bool) -> None:
    name = f"{ENV_PREFIX}REDIS_URL"
    if not url:
        if required:
            msg = (
                f"{name}: required when {ENV_PREFIX}SNAPSHOT_TIERS includes redis or {ENV_PREFIX}INGESTION_QUEUE is "
                "redis (e.g. redis://127.0.0.1:6379/0)"
            )
            raise SettingsError(msg)
        return
    if not url.startswith(_REDIS_SCHEMES):
        msg = f"{name}: {url!r} is not a Redis URL; use redis://host:6379/0, rediss://… (TLS) or unix:///path"
        raise SettingsError(msg)


def _check_s3(settings: Settings, *, required: bool) -> None:
    if required:
        missing = [f"{ENV_PREFIX}{field.upper()}" for field in _S3_REQUIRED if getattr(settings, field) in {None, ""}]
        if missing:
            msg = f"{', '.join(missing)}: required when {ENV_PREFIX}SNAPSHOT_TIERS includes s3"
            raise SettingsError(msg)
    endpoint = settings.s3_endpoint
    if endpoint and not _is_host_port(endpoint):
        msg = (
            f"{ENV_PREFIX}S3_ENDPOINT: {endpoint!r} is not host[:port]; give e.g. minio.internal:9000 without a "
            f"scheme, and choose HTTPS with {ENV_PREFIX}S3_SECURE"
        )
        raise SettingsError(msg)
    bucket = settings.s3_bucket
    if bucket and not _BUCKET.fullmatch(bucket):
        msg = (
            f"{ENV_PREFIX}S3_BUCKET: {bucket!r} is not a valid bucket name (3 to 63 characters: lowercase letters, "
            "digits, dots and hyphens, starting and ending with a letter or digit)"
        )
        raise SettingsError(msg)


def _is_host_port(endpoint: str) -> bool:
    try:
        parts = urlsplit(f"//{endpoint}")
        _ = parts.port  # raises on a port out of range or not a number
    except ValueError:
        return False
    return bool(parts.hostname) and not parts.path and not parts.query and not parts.fragment and "@" not in endpoint


def _is_http_base_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises on a port out of range or not a number
    except ValueError:
        return False
    return parts.scheme in {"http", "https"} and bool(parts.hostname) and not parts.query and not parts.fragment


def _normalize_database_url(url: str) -> str:
    for alias, canonical in _DRIVER_ALIASES.items():
        if url.startswith(alias):
            return canonical + url.removeprefix(alias)
    return url


def _explain(exc: msgspec.ValidationError) -> str:
    message = str(exc)
    if " - at `$." in message:
        detail, _, path = message.partition(" - at `$.")
        return f"{ENV_PREFIX}{path.rstrip('`').upper()}: {detail}"
    return message
