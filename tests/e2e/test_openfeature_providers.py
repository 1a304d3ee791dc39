"""Real OpenFeature providers against a real flagcore server (granian on loopback).

A manifest is pushed through the sync API, then every flag type is evaluated through OFREP with
``openfeature-provider-ofrep`` and through the official PostHog provider (``openfeature-provider-posthog`` over
posthog-python), and both give the same answers.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openfeature import api
from openfeature.client import OpenFeatureClient
from openfeature.contrib.provider.ofrep import OFREPProvider
from openfeature.contrib.provider.posthog import PostHogProvider
from openfeature.evaluation_context import EvaluationContext
from openfeature.exception import ErrorCode
from openfeature.flag_evaluation import Reason
from openfeature.provider import AbstractProvider
from posthog import Posthog

from tests.e2e.conftest import Server

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

MANIFEST = [
    {"key": "of-dark-mode", "type": "boolean", "defaultValue": True, "description": "Dark mode"},
    {"key": "of-off", "type": "boolean", "defaultValue": False},
    {"key": "of-theme", "type": "string", "defaultValue": "blue"},
    {"key": "of-limit", "type": "integer", "defaultValue": 42},
    {"key": "of-ratio", "type": "float", "defaultValue": 0.25},
    {"key": "of-layout", "type": "object", "defaultValue": {"columns": 3}},
]


@pytest.fixture(scope="module")
def pushed(server: Server) -> Server:
    with server.client() as http:
        response = http.post("/openfeature/v0/manifest/sync", json={"flags": MANIFEST})
        assert response.status_code == 200, response.text
        pro = http.post(
            "/api/projects/@current/feature_flags/",
            json={
                "key": "of-pro",
                "filters": {"groups": [{"properties": [{"key": "plan", "value": ["pro"], "operator": "exact"}]}]},
            },
        )
        assert pro.status_code == 201, pro.text
    return server


def ofrep_client(server: Server) -> OpenFeatureClient:
    token = server.credentials["project_api_key"]
    provider = OFREPProvider(server.base_url, headers_factory=lambda: {"Authorization": f"Bearer {token}"})
    return _client(provider)


@pytest.fixture(scope="module")
def posthog_client(pushed: Server) -> Iterator[OpenFeatureClient]:
    client = Posthog(pushed.credentials["project_api_key"], host=pushed.base_url, sync_mode=True)
    try:
        yield _client(PostHogProvider(client, send_feature_flag_events=False))
    finally:
        client.shutdown()


_DOMAINS = itertools.count()


def _client(provider: AbstractProvider) -> OpenFeatureClient:
    domain = f"flagcore-e2e-{next(_DOMAINS)}"
    api.set_provider_and_wait(provider, domain=domain)  # initialised before the first evaluation
    return api.get_client(domain=domain)


CASES: list[tuple[str, str, Any, Any]] = [
    ("boolean", "of-dark-mode", False, True),
    ("boolean", "of-off", True, False),
    ("string", "of-theme", "fallback", "blue"),
    ("integer", "of-limit", 0, 42),
    ("float", "of-ratio", 0.0, 0.25),
    ("object", "of-layout", {}, {"columns": 3}),
]


def evaluate(client: OpenFeatureClient, kind: str, key: str, default: Any, ctx: EvaluationContext) -> Any:
    method = {
        "boolean": client.get_boolean_details,
        "string": client.get_string_details,
        "integer": client.get_integer_details,
        "float": client.get_float_details,
        "object": client.get_object_details,
    }[kind]
    return method(key, default, ctx)


@pytest.mark.parametrize(("kind", "key", "default", "expected"), CASES)
def test_ofrep_provider_evaluates_every_type(pushed: Server, kind: str, key: str, default: Any, expected: Any) -> None:
    details = evaluate(ofrep_client(pushed), kind, key, default, EvaluationContext(targeting_key="user-1"))
    assert details.error_code is None, details.error_message
    assert details.value == expected
    assert type(details.value) is type(expected)
    assert details.reason in {Reason.TARGETING_MATCH, Reason.DEFAULT}


@pytest.mark.parametrize(("kind", "key", "default", "expected"), CASES)
def test_posthog_provider_gives_the_same_answers(
    pushed: Server, posthog_client: OpenFeatureClient, kind: str, key: str, default: Any, expected: Any
) -> None:
    ctx = EvaluationContext(targeting_key="user-1")
    via_posthog = evaluate(posthog_client, kind, key, default, ctx)
    via_ofrep = evaluate(ofrep_client(pushed), kind, key, default, ctx)
    assert via_posthog.error_code is None, via_posthog.error_message
    assert via_posthog.value == via_ofrep.value == expected


def test_targeting_and_reasons_agree(pushed: Server, posthog_client: OpenFeatureClient) -> None:
    ofrep = ofrep_client(pushed)
    for plan, expected, reason in (("pro", True, Reason.TARGETING_MATCH), ("free", False, Reason.DEFAULT)):
        ctx = EvaluationContext(targeting_key="user-2", attributes={"plan": plan})
        a = ofrep.get_boolean_details("of-pro", not expected, ctx)
        b = posthog_client.get_boolean_details("of-pro", not expected, ctx)
        assert (a.value, a.reason) == (b.value, b.reason) == (expected, reason)


def test_ofrep_errors_reach_the_sdk(pushed: Server) -> None:
    client = ofrep_client(pushed)
    missing = client.get_boolean_details("no-such-flag", True, EvaluationContext(targeting_key="u"))
    assert (missing.value, missing.error_code, missing.reason) == (True, ErrorCode.FLAG_NOT_FOUND, Reason.ERROR)
    no_key = client.get_boolean_details("of-dark-mode", False, EvaluationContext())
    assert (no_key.value, no_key.error_code) == (False, ErrorCode.TARGETING_KEY_MISSING)
    wrong_type = client.get_integer_details("of-theme", 5, EvaluationContext(targeting_key="u"))
    assert (wrong_type.value, wrong_type.error_code) == (5, ErrorCode.TYPE_MISMATCH)
    bad_key = _client(OFREPProvider(pushed.base_url, headers_factory=lambda: {"X-API-Key": "phc_nope"}))
    denied = bad_key.get_boolean_details("of-dark-mode", False, EvaluationContext(targeting_key="u"))
    assert (denied.value, denied.error_code) == (False, ErrorCode.GENERAL)


def test_bulk_etag_over_the_wire(pushed: Server) -> None:
    import httpx  # noqa: PLC0415 - only this test speaks raw HTTP

    headers = {"X-API-Key": pushed.credentials["project_api_key"]}
    body = {"context": {"targetingKey": "user-1"}}
    first = httpx.post(f"{pushed.base_url}/ofrep/v1/evaluate/flags", json=body, headers=headers, timeout=10)
    assert first.status_code == 200
    again = httpx.post(
        f"{pushed.base_url}/ofrep/v1/evaluate/flags",
        json=body,
        headers=headers | {"If-None-Match": first.headers["etag"]},
        timeout=10,
    )
    assert again.status_code == 304


def test_flagcore_manifest_cli_pull_push_diff(pushed: Server, tmp_path: Any) -> None:
    from tests.servers import run_cli  # noqa: PLC0415

    env = pushed.env | {"FLAGCORE_URL": pushed.base_url, "FLAGCORE_API_KEY": pushed.credentials["personal_api_key"]}
    path = tmp_path / "flags.json"
    pull = run_cli("manifest", "pull", "--file", str(path), env=env)
    assert pull.returncode == 0, pull.stderr
    document = json.loads(path.read_text())
    assert document["flags"]["of-limit"] == {"flagType": "integer", "defaultValue": 42, "description": ""}
    unchanged = run_cli("manifest", "diff", "--file", str(path), env=env)
    assert unchanged.stdout.strip() == "No differences found."
    # A description change only: the other tests of this module read of-limit's value.
    document["flags"]["of-limit"]["description"] = "Edited"
    document["flags"]["cli-new"] = {"flagType": "string", "defaultValue": "green", "description": "From the CLI"}
    path.write_text(json.dumps(document))
    diff = run_cli("manifest", "diff", "--file", str(path), env=env)
    assert "+ cli-new" in diff.stdout
    assert 'description: "" -> "Edited"' in diff.stdout
    dry = run_cli("manifest", "push", "--dry-run", "--file", str(path), env=env)
    assert "1 created, 1 updated" in dry.stdout
    push = run_cli("manifest", "push", "--file", str(path), env=env)
    assert push.returncode == 0, push.stderr
    assert "pushed: 1 created, 1 updated" in push.stdout
    again = run_cli("manifest", "push", "--file", str(path), env=env)
    assert "0 created, 0 updated" in again.stdout  # idempotent
    value = ofrep_client(pushed).get_string_value("cli-new", "x", EvaluationContext(targeting_key="u"))
    assert value == "green"
    path.write_text('{"flags": {"bad": {"flagType": "integer", "defaultValue": "x"}}}')
    invalid = run_cli("manifest", "push", "--file", str(path), env=env)
    assert invalid.returncode == 1
    assert "not a valid manifest" in invalid.stderr


JS_DIR = Path(__file__).parent.parent / "js"


def test_js_ofrep_server_provider_evaluates_every_type(pushed: Server) -> None:
    if not (JS_DIR / "node_modules" / "@openfeature" / "ofrep-provider").is_dir():
        pytest.fail("tests/js is not installed: run `make pytest` (it runs npm ci in tests/js)")
    ctx = {"targetingKey": "user-1"}
    cases = [
        ["boolean", "of-dark-mode", False, ctx],
        ["boolean", "of-off", True, ctx],
        ["string", "of-theme", "fallback", ctx],
        ["number", "of-limit", 0, ctx],
        ["number", "of-ratio", 0, ctx],
        ["object", "of-layout", {}, ctx],
        ["boolean", "of-pro", False, {"targetingKey": "user-2", "plan": "pro"}],
        ["boolean", "no-such-flag", True, ctx],
        ["boolean", "of-dark-mode", False, {}],
        ["number", "of-theme", 5, ctx],
    ]
    env = {
        "PATH": os.environ.get("PATH", ""),
        "FLAGCORE_URL": pushed.base_url,
        "FLAGCORE_PROJECT_KEY": pushed.credentials["project_api_key"],
    }
    done = subprocess.run(  # noqa: S603 - our own script
        ["node", str(JS_DIR / "ofrep_server.mjs"), json.dumps(cases)],  # noqa: S607 - node from PATH
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=JS_DIR,
    )
    assert done.returncode == 0, done.stderr
    got = [(r["key"], r["value"], r["reason"], r["errorCode"]) for r in json.loads(done.stdout)]
    assert got == [
        ("of-dark-mode", True, "TARGETING_MATCH", None),
        ("of-off", False, "DEFAULT", None),
        ("of-theme", "blue", "TARGETING_MATCH", None),
        ("of-limit", 42, "TARGETING_MATCH", None),
        ("of-ratio", 0.25, "TARGETING_MATCH", None),
        ("of-layout", {"columns": 3}, "TARGETING_MATCH", None),
        ("of-pro", True, "TARGETING_MATCH", None),
        ("no-such-flag", True, "ERROR", "FLAG_NOT_FOUND"),
        ("of-dark-mode", False, "ERROR", "TARGETING_KEY_MISSING"),
        ("of-theme", 5, "ERROR", "TYPE_MISMATCH"),
    ]


def in_chromium(pushed: Server, page: str, cases: list[list[Any]], package: str) -> list[tuple[Any, ...]]:
    """Evaluate ``cases`` in headless Chromium on ``page`` of tests/js (provider from ``package``) as user-2, pro."""
    if not (JS_DIR / "node_modules" / package).is_dir():
        pytest.fail("tests/js is not installed: run `make pytest` (it runs npm ci in tests/js)")
    if not Path("/usr/bin/chromium").exists():
        pytest.fail("no Chromium: apt-get install -y chromium")
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),  # noqa: S108 - Chromium needs a profile directory
        "FLAGCORE_URL": pushed.base_url,
        "FLAGCORE_PROJECT_KEY": pushed.credentials["project_api_key"],
    }
    payload = {"context": {"targetingKey": "user-2", "plan": "pro"}, "cases": cases}
    done = subprocess.run(  # noqa: S603 - our own script
        ["node", str(JS_DIR / "ofrep_web.mjs"), json.dumps(payload), page],  # noqa: S607 - node from PATH
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
        cwd=JS_DIR,
    )
    assert done.returncode == 0, done.stderr
    return [(r["key"], r["value"], r["reason"], r["errorCode"]) for r in json.loads(done.stdout)]


def test_js_ofrep_web_provider_in_headless_chromium(pushed: Server) -> None:
    cases = [
        ["boolean", "of-dark-mode", False],
        ["boolean", "of-off", True],
        ["string", "of-theme", "fallback"],
        ["number", "of-limit", 0],
        ["number", "of-ratio", 0],
        ["object", "of-layout", {}],
        ["boolean", "of-pro", False],
        ["boolean", "no-such-flag", True],
    ]
    got = in_chromium(pushed, "ofrep_web.html", cases, "playwright-core")
    assert got == [
        ("of-dark-mode", True, "TARGETING_MATCH", None),
        ("of-off", False, "DEFAULT", None),
        ("of-theme", "blue", "TARGETING_MATCH", None),
        ("of-limit", 42, "TARGETING_MATCH", None),
        ("of-ratio", 0.25, "TARGETING_MATCH", None),
        ("of-layout", {"columns": 3}, "TARGETING_MATCH", None),
        ("of-pro", True, "TARGETING_MATCH", None),
        ("no-such-flag", True, "ERROR", "FLAG_NOT_FOUND"),
    ]


def test_posthog_web_provider_in_headless_chromium(pushed: Server) -> None:
    """PostHog's own OpenFeature web provider (over posthog-js) gives the OFREP web provider's answers.

    Its reasons are PostHog's mapping (spec §3.4: enabled -> TARGETING_MATCH, otherwise DEFAULT), and it resolves
    from posthog-js's in-memory flags, so an unknown key is FLAG_NOT_FOUND without another request.
    """
    cases = [
        ["boolean", "of-dark-mode", False],
        ["boolean", "of-off", True],
        ["string", "of-theme", "fallback"],
        ["number", "of-limit", 0],
        ["number", "of-ratio", 0],
        ["object", "of-layout", {}],
        ["boolean", "of-pro", False],
        ["boolean", "no-such-flag", True],
        ["number", "of-theme", 5],
    ]
    got = in_chromium(pushed, "posthog_of_web.html", cases, "@posthog/openfeature-web-provider")
    assert got == [
        ("of-dark-mode", True, "TARGETING_MATCH", None),
        ("of-off", False, "DEFAULT", None),
        ("of-theme", "blue", "TARGETING_MATCH", None),
        ("of-limit", 42, "TARGETING_MATCH", None),
        ("of-ratio", 0.25, "TARGETING_MATCH", None),
        ("of-layout", {"columns": 3}, "TARGETING_MATCH", None),
        ("of-pro", True, "TARGETING_MATCH", None),
        ("no-such-flag", True, "ERROR", "FLAG_NOT_FOUND"),
        ("of-theme", 5, "ERROR", "TYPE_MISMATCH"),
    ]
