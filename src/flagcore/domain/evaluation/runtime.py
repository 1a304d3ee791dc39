"""Runtime and evaluation-context filtering (spec §9): which flags a request may see at all.

Flags a request may not see are omitted from its response, and flags depending on them see them as ``false``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from enum import StrEnum
from typing import Final

__all__ = ("Runtime", "detect_runtime", "is_flag_visible", "runtime_from_user_agent")


class Runtime(StrEnum):
    """Where the requesting code runs."""

    ALL = "all"
    CLIENT = "client"
    SERVER = "server"
    UNDETERMINED = "undetermined"


_SDK_RUNTIMES: Final = {
    **dict.fromkeys(
        ("python", "ruby", "php", "java", "go", "node", "dotnet", "elixir", "rs", "server"), Runtime.SERVER
    ),
    **dict.fromkeys(("js", "android", "ios", "react-native", "flutter"), Runtime.CLIENT),
}
_BROWSER_MARKERS: Final = ("Mozilla/", "Chrome/", "Safari/", "Firefox/", "Edge/")
_HTTP_CLIENT_MARKERS: Final = ("python-requests/", "curl/")
_BROWSER_HEADERS: Final = ("origin", "referer", "sec-fetch-mode", "sec-fetch-site")
_EXPLICIT: Final = {"all": Runtime.ALL, "client": Runtime.CLIENT, "server": Runtime.SERVER}


def runtime_from_user_agent(user_agent: str | None) -> Runtime:
    """The runtime a ``User-Agent`` reveals, or ``UNDETERMINED``.

    ``posthog-<sdk>/<version>`` names the SDK (known server and client SDKs only); otherwise browser markers mean
    client and ``python-requests/`` or ``curl/`` mean server.
    """
    if not user_agent:
        return Runtime.UNDETERMINED
    if user_agent.startswith("posthog-"):
        return _sdk_runtime(user_agent.removeprefix("posthog-"))
    if any(marker in user_agent for marker in _BROWSER_MARKERS):
        return Runtime.CLIENT
    if any(marker in user_agent for marker in _HTTP_CLIENT_MARKERS):
        return Runtime.SERVER
    return Runtime.UNDETERMINED


def _sdk_runtime(rest: str) -> Runtime:
    name, slash, version_part = rest.partition("/")
    version = version_part.split()[0] if version_part.split() else ""
    if not slash or not name or not version:
        return Runtime.UNDETERMINED
    return _SDK_RUNTIMES.get(name, Runtime.UNDETERMINED)


def detect_runtime(user_agent: str | None, headers: Mapping[str, str], explicit: str | None = None) -> Runtime:
    """The request's runtime, as the server decides it.

    Args:
        user_agent: the ``User-Agent`` header, if any.
        headers: request headers with lower-case names (only their presence is read).
        explicit: the body's ``evaluation_runtime``, if sent.

    Returns:
        The explicit runtime when given (case-insensitive; unknown values mean ``ALL``); else the User-Agent's;
        else ``CLIENT`` when a browser-only header is present; else ``UNDETERMINED``.
    """
    if explicit is not None:
        return _EXPLICIT.get(explicit.lower(), Runtime.ALL)
    runtime = runtime_from_user_agent(user_agent)
    if runtime is Runtime.UNDETERMINED and any(header in headers for header in _BROWSER_HEADERS):
        return Runtime.CLIENT
    return runtime


def is_flag_visible(
    flag_runtime: str | None,
    flag_contexts: Collection[str],
    runtime: Runtime,
    contexts: Collection[str] | None,
) -> bool:
    """Whether a flag takes part in a request.

    Args:
        flag_runtime: the flag's ``evaluation_runtime`` (``None``/``"all"`` = any runtime).
        flag_contexts: the flag's ``evaluation_contexts`` tags.
        runtime: the request's runtime.
        contexts: the request's ``evaluation_contexts`` (``None`` or empty = no context filtering).

    Returns:
        ``False`` when the flag's runtime excludes the request or none of its context tags was requested.
    """
    if runtime is not Runtime.ALL and flag_runtime not in (None, Runtime.ALL.value) and flag_runtime != runtime.value:
        return False
    if not contexts or not flag_contexts:
        return True
    return any(context in flag_contexts for context in contexts)
