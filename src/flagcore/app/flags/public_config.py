"""Use case: the public remote config posthog-js loads on start-up (``/array/{token}/config``, spec §9).

No flag values or definitions are in it, only whether the project has any active flag (posthog-js then asks
``/flags``). The features flagcore does not have (recordings, surveys, heatmaps, site apps) are reported off.
"""

from __future__ import annotations

import re
from typing import Final

import msgspec

from flagcore.domain.errors import InvalidInputError, NotFoundError
from flagcore.ports.flags import FlagQuery, FlagRepo
from flagcore.ports.identity import ProjectRepo

_TOKEN: Final = re.compile(r"[a-zA-Z0-9_-]{1,200}")


class ErrorTracking(msgspec.Struct, frozen=True, kw_only=True):
    autocaptureExceptions: bool = False  # noqa: N815 - posthog-js's key
    suppressionRules: list[str] = msgspec.field(default_factory=list)  # noqa: N815


class RemoteConfig(msgspec.Struct, frozen=True, kw_only=True):
    """The keys posthog-js reads from its remote config; camelCase or not as posthog-js spells each one."""

    token: str
    hasFeatureFlags: bool  # noqa: N815
    supportedCompression: list[str] = msgspec.field(default_factory=lambda: ["gzip", "gzip-js"])  # noqa: N815
    defaultIdentifiedOnly: bool = True  # noqa: N815
    sessionRecording: bool = False  # noqa: N815
    surveys: bool = False
    heatmaps: bool = False
    captureDeadClicks: bool = False  # noqa: N815
    capturePerformance: bool = False  # noqa: N815
    autocapture_opt_out: bool = False
    autocaptureExceptions: bool = False  # noqa: N815
    elementsChainAsString: bool = True  # noqa: N815
    errorTracking: ErrorTracking = msgspec.field(default_factory=ErrorTracking)  # noqa: N815
    siteApps: list[str] = msgspec.field(default_factory=list)  # noqa: N815


class InvalidTokenError(InvalidInputError):
    def __init__(self) -> None:
        super().__init__("Invalid token", attr="token")


class UnknownTokenError(NotFoundError):
    def __init__(self) -> None:
        super().__init__("Not found.")


def valid_token(token: str) -> bool:
    """PostHog's rule for the path token: at most 200 characters of ``[a-zA-Z0-9_-]``."""
    return _TOKEN.fullmatch(token) is not None


class GetPublicConfig:
    def __init__(self, projects: ProjectRepo, flags: FlagRepo) -> None:
        self._projects = projects
        self._flags = flags

    async def execute(self, token: str) -> RemoteConfig:
        """The project's remote config.

        Raises:
            InvalidTokenError: the token is malformed (400).
            UnknownTokenError: no project has this public token (404).
        """
        if not valid_token(token):
            raise InvalidTokenError
        project = await self._projects.get_by_api_token(token)
        if project is None:
            raise UnknownTokenError
        active = await self._flags.list(project.id, FlagQuery(active=True, limit=1))
        return RemoteConfig(token=project.api_token, hasFeatureFlags=active.count > 0)


def config_script(config: RemoteConfig) -> str:
    """``config.js``: the config handed to posthog-js through ``window._POSTHOG_REMOTE_CONFIG``.

    The token is validated to ``[a-zA-Z0-9_-]``, and the JSON has no other request input, so nothing in it can close
    the script.
    """
    body = msgspec.json.encode({"config": config, "siteApps": []}).decode()
    return (
        "(function() {\n"
        "  window._POSTHOG_REMOTE_CONFIG = window._POSTHOG_REMOTE_CONFIG || {};\n"
        f"  window._POSTHOG_REMOTE_CONFIG['{config.token}'] = {body};\n"
        "})();\n"
    )
