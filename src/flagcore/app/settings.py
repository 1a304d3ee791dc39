"""Settings from ``FLAGCORE_*`` environment variables, parsed and validated in one place.

A bad value stops start-up with a message naming the variable, instead of failing later on first use.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Annotated, Final, Literal
from urllib.parse import urlsplit

import msgspec

ENV_PREFIX: Final = "FLAGCORE_"
MEMORY_DATABASE_URL: Final = "memory://"
_DRIVER_ALIASES: Final = {
    "sqlite://": "sqlite+aiosqlite://",
    "postgresql://": "postgresql+asyncpg://",
    "postgres://": "postgresql+asyncpg://",
}
_SUPPORTED_SCHEMES: Final = ("sqlite+aiosqlite://", "postgresql+asyncpg://", MEMORY_DATABASE_URL)


class SettingsError(ValueError):
    """A setting is missing or invalid; the message names the environment variable."""


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    """flagcore's configuration. Field ``x`` is read from ``FLAGCORE_X``."""

    database_url: str = "sqlite+aiosqlite:///./flagcore.db"
    host: str = "127.0.0.1"
    port: Annotated[int, msgspec.Meta(ge=1, le=65535)] = 8000
    workers: Annotated[int, msgspec.Meta(ge=1, le=64)] = 1
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    debug: bool = False
    #: Who answers my_flags / evaluation_reasons: the in-process engine, or a ``/flags?v=2`` service over HTTP.
    evaluator: Literal["local", "http"] = "local"
    #: Base URL of that service (``http``/``https``); required when ``evaluator`` is ``http``.
    evaluator_url: str | None = None
    #: Seconds the whole request to that service may take before the API answers 504 (PostHog's proxy uses 3).
    evaluator_timeout_s: Annotated[float, msgspec.Meta(gt=0, le=300)] = 3.0
    #: How long a process may serve a project's snapshot before checking the store again (0: check every time).
    snapshot_refresh_s: Annotated[float, msgspec.Meta(ge=0, le=3600)] = 1.0

    def __post_init__(self) -> None:
        if not self.database_url.startswith(_SUPPORTED_SCHEMES):
            msg = (
                f"{ENV_PREFIX}DATABASE_URL: unsupported URL {self.database_url!r}; use sqlite+aiosqlite:///path.db, "
                f"postgresql+asyncpg://user:password@host:port/db, or {MEMORY_DATABASE_URL} (data lost on exit)"
            )
            raise SettingsError(msg)
        _check_evaluator_url(self.evaluator, self.evaluator_url)

    @property
    def uses_memory_storage(self) -> bool:
        return self.database_url == MEMORY_DATABASE_URL


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read settings from ``environ`` (default: the process environment).

    Raises:
        SettingsError: an unknown ``FLAGCORE_*`` variable or an invalid value, naming the variable.
    """
    env = os.environ if environ is None else environ
    fields = {f.name for f in msgspec.structs.fields(Settings)}
    raw: dict[str, str] = {}
    for name, value in env.items():
        if not name.startswith(ENV_PREFIX):
            continue
        field = name.removeprefix(ENV_PREFIX).lower()
        if field in fields:
            raw[field] = value
    if "database_url" in raw:
        raw["database_url"] = _normalize_database_url(raw["database_url"])
    try:
        return msgspec.convert(raw, Settings, strict=False)
    except msgspec.ValidationError as exc:
        raise SettingsError(_explain(exc)) from None


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
