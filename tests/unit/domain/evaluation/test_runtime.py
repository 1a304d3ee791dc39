"""Runtime detection and evaluation-context filtering (spec §9)."""

from __future__ import annotations

import pytest

from flagcore.domain.evaluation import Runtime, detect_runtime, is_flag_visible, runtime_from_user_agent
from tests.unit.domain.evaluation.support import load_vectors

UA_CASES = load_vectors("rust_user_agent_runtime.json")["cases"]
_AS_RUNTIME = {"server": Runtime.SERVER, "client": Runtime.CLIENT, "unknown": Runtime.UNDETERMINED}


@pytest.mark.parametrize(("user_agent", "expected"), UA_CASES)
def test_user_agent_vectors(user_agent: str, expected: str) -> None:
    assert runtime_from_user_agent(user_agent) is _AS_RUNTIME[expected]


@pytest.mark.parametrize(
    ("user_agent", "headers", "explicit", "expected"),
    [
        ("posthog-js/1.0.0", {}, "SERVER", Runtime.SERVER),
        ("posthog-python/1.0.0", {}, "Client", Runtime.CLIENT),
        ("posthog-python/1.0.0", {}, "all", Runtime.ALL),
        ("posthog-python/1.0.0", {}, "bogus", Runtime.ALL),
        ("custom/1.0", {"origin": "https://x"}, None, Runtime.CLIENT),
        (None, {"sec-fetch-mode": "cors"}, None, Runtime.CLIENT),
        ("curl/8.0", {"origin": "https://x"}, None, Runtime.SERVER),
        ("custom/1.0", {"accept": "*/*"}, None, Runtime.UNDETERMINED),
        (None, {}, None, Runtime.UNDETERMINED),
    ],
)
def test_detect_runtime(
    user_agent: str | None, headers: dict[str, str], explicit: str | None, expected: Runtime
) -> None:
    assert detect_runtime(user_agent, headers, explicit) is expected


@pytest.mark.parametrize(
    ("flag_runtime", "runtime", "visible"),
    [
        (None, Runtime.SERVER, True),
        ("all", Runtime.UNDETERMINED, True),
        ("client", Runtime.ALL, True),
        ("client", Runtime.CLIENT, True),
        ("client", Runtime.SERVER, False),
        ("server", Runtime.UNDETERMINED, False),
        ("server", Runtime.SERVER, True),
    ],
)
def test_runtime_visibility(flag_runtime: str | None, runtime: Runtime, visible: bool) -> None:
    assert is_flag_visible(flag_runtime, (), runtime, None) is visible


@pytest.mark.parametrize(
    ("flag_contexts", "contexts", "visible"),
    [
        ((), ["web"], True),
        (("web",), None, True),
        (("web",), [], True),
        (("web", "app"), ["app"], True),
        (("web",), ["mobile"], False),
        (("Web",), ["web"], False),
    ],
)
def test_context_visibility(flag_contexts: tuple[str, ...], contexts: list[str] | None, visible: bool) -> None:
    assert is_flag_visible(None, flag_contexts, Runtime.ALL, contexts) is visible
