"""The real PostHog SDKs' event capture against a real flagcore server (granian on loopback).

Each SDK sends events with its default transport (posthog-python's ``/batch``, posthog-node's ``/batch``, posthog-js's
``/e`` or ``/i/v0/e`` with its own compression); the events' ``$set`` reaches the stored person through the ingestion
worker, and the next ``/flags`` answer, asked through the same SDK without sending the property, reflects it.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from posthog import Posthog

from tests.browser import chromium_path
from tests.e2e.conftest import Server

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.xdist_group("e2e"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning:tests.e2e.test_sdk_capture"),
]

#: Capture is applied off the request path; the worker drains within milliseconds, this bounds a slow machine.
APPLY_TIMEOUT_S = 10.0

PLAN_FLAG = {
    "key": "capture-pro",
    "filters": {"groups": [{"properties": [{"key": "plan", "operator": "exact", "value": ["pro"], "type": "person"}]}]},
}
#: Targets a property only ``$set_once`` writes, so the test sees that one too.
SOURCE_FLAG = {
    "key": "capture-from-ads",
    "filters": {
        "groups": [{"properties": [{"key": "source", "operator": "exact", "value": ["ads"], "type": "person"}]}]
    },
}


@pytest.fixture(scope="module")
def project(server: Server) -> Server:
    with server.client() as client:
        for flag in (PLAN_FLAG, SOURCE_FLAG):
            response = client.post("/api/projects/@current/feature_flags/", json=flag)
            assert response.status_code == 201, response.text
    return server


def eventually(read: Callable[[], Any], expected: Any) -> Any:
    """``read()`` until it returns ``expected`` or the bound passes; the last value either way."""
    deadline = time.monotonic() + APPLY_TIMEOUT_S
    value = read()
    while value != expected and time.monotonic() < deadline:
        time.sleep(0.2)
        value = read()
    return value


class _Errors(logging.Handler):
    """Collects the SDK's warnings and errors: a failed capture request is logged there, not raised."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record.getMessage())


def test_posthog_python_capture_set_changes_the_next_flags_answer(project: Server) -> None:
    errors = _Errors()
    sdk_logger = logging.getLogger("posthog")
    sdk_logger.addHandler(errors)
    anonymous, user, alias = (f"py-{kind}-{uuid.uuid4().hex[:8]}" for kind in ("anon", "user", "alias"))
    client = Posthog(
        project.credentials["project_api_key"],
        host=project.base_url,
        poll_interval=3600,
        feature_flags_request_timeout_seconds=10,
        flush_at=50,
        flush_interval=0.1,
        max_retries=0,  # a failed send is logged once instead of being retried silently
    )
    try:
        assert client.get_feature_flag("capture-pro", user) is False  # no stored person yet
        client.capture("signed_up", distinct_id=anonymous, properties={"$set": {"plan": "free"}})
        client.capture(
            "$identify",
            distinct_id=user,
            properties={"$anon_distinct_id": anonymous, "$set": {"plan": "pro"}, "$set_once": {"source": "ads"}},
        )
        client.alias(alias, user)
        client.set(distinct_id=user, properties={"email": "py@example.com"})
        client.flush()

        assert eventually(lambda: client.get_feature_flag("capture-pro", user), True) is True
        assert client.get_feature_flag("capture-from-ads", user) is True
        # The anonymous id was merged into the user, and the alias points at the same person.
        assert eventually(lambda: client.get_feature_flag("capture-pro", anonymous), True) is True
        assert eventually(lambda: client.get_feature_flag("capture-pro", alias), True) is True
        # A later $set changes the answer back; $set_once does not overwrite.
        client.capture(
            "upgraded", distinct_id=user, properties={"$set": {"plan": "free"}, "$set_once": {"source": "email"}}
        )
        client.flush()
        assert eventually(lambda: client.get_feature_flag("capture-pro", user), False) is False
        assert client.get_feature_flag("capture-from-ads", user) is True
        # Properties sent with the request still win over the stored ones.
        assert client.get_feature_flag("capture-pro", user, person_properties={"plan": "pro"}) is True
    finally:
        client.shutdown()
        sdk_logger.removeHandler(errors)
    assert errors.records == []


JS_DIR = Path(__file__).parent.parent / "js"


def run_node(script: str, payload: dict[str, Any], server: Server, *, timeout: float) -> dict[str, Any]:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),  # noqa: S108 - Chromium needs a profile directory
        "FLAGCORE_URL": server.base_url,
        "FLAGCORE_PROJECT_KEY": server.credentials["project_api_key"],
    }
    done = subprocess.run(  # noqa: S603 - our own script
        ["node", str(JS_DIR / script), json.dumps(payload)],  # noqa: S607 - node from PATH
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        cwd=JS_DIR,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_posthog_node_capture_set_changes_the_next_flags_answer(project: Server) -> None:
    if not (JS_DIR / "node_modules" / "posthog-node").is_dir():
        pytest.fail("tests/js is not installed: run `make pytest` (it runs npm ci in tests/js)")
    suffix = uuid.uuid4().hex[:8]
    payload = {
        "flag": "capture-pro",
        "user": f"node-user-{suffix}",
        "anonymous": f"node-anon-{suffix}",
        "alias": f"node-alias-{suffix}",
        "timeoutMs": APPLY_TIMEOUT_S * 1000,
    }
    got = run_node("posthog_node_capture.mjs", payload, project, timeout=APPLY_TIMEOUT_S * 5 + 30)
    assert got == {
        "before": False,
        "after": True,
        "anonymous": True,
        "alias": True,
        "downgraded": False,
        "errors": [],
    }


def test_posthog_js_in_headless_chromium_capture_changes_the_next_flags_answer(project: Server) -> None:
    if not all((JS_DIR / "node_modules" / package).is_dir() for package in ("posthog-js", "playwright-core")):
        pytest.fail("tests/js is not installed: run `make pytest` (it runs npm ci in tests/js)")
    chromium_path()  # fails under CI, skips elsewhere, when there is no browser
    user = f"web-user-{uuid.uuid4().hex[:8]}"
    payload = {"flag": "capture-pro", "user": user, "timeoutMs": APPLY_TIMEOUT_S * 1000 * 2}
    got = run_node("posthog_web.mjs", payload, project, timeout=APPLY_TIMEOUT_S * 6 + 60)
    assert got["errors"] == [], got
    assert got["failed"] == [], got
    # The events went through capture (posthog-js's /e/), not only the flags' person properties.
    assert {"/e/", "/flags/"} <= set(got["paths"]), got
    assert (got["before"], got["after"], got["downgraded"], got["distinctId"]) == (False, True, False, user)
    with project.client() as http:
        persons = http.get("/api/projects/@current/persons/", params={"distinct_id": user})
    assert persons.status_code == 200, persons.text
    [person] = persons.json()["results"]
    assert person["properties"]["plan"] == "free"
