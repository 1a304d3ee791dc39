"""The conformance kit fails what is wrong: against broken servers (httpx mock transports), with reasons."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest

from flagcore.app.cli import main
from flagcore.conformance import Target, run_checks
from flagcore.conformance.checks import READ_CHECKS
from flagcore.conformance.report import as_json, table
from tests.servers import free_port

TARGET = Target(url="http://server.test", project_key="phc_x", personal_key="phx_y")


def _serving(handler: Callable[[httpx.Request], httpx.Response]) -> dict[str, tuple[str, str]]:
    results = run_checks(TARGET, READ_CHECKS, transport=httpx.MockTransport(handler))
    return {r.name: (r.status, r.reason) for r in results}


def test_a_server_answering_empty_objects_fails_the_shape_and_status_checks() -> None:
    results = _serving(lambda _: httpx.Response(200, json={}))
    assert results["flags_v2_shape"][0] == "failed"
    assert "no `flags` object" in results["flags_v2_shape"][1]
    assert results["flags_legacy_shape"][0] == "failed"
    assert results["flags_unknown_token_401"] == ("failed", results["flags_unknown_token_401"][1])
    assert "200 (expected 401)" in results["flags_unknown_token_401"][1]
    assert results["feed_etag_304"][0] == "failed"


def test_an_error_body_without_posthogs_keys_fails() -> None:
    results = _serving(lambda _: httpx.Response(401, json={"error": "nope"}))
    assert results["flags_unknown_token_401"][0] == "failed"
    assert "without type, code, detail, attr" in results["flags_unknown_token_401"][1]


def test_a_feed_that_ignores_if_none_match_fails() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"flags": [], "group_type_mapping": {}}, headers={"ETag": '"abc"'})

    results = _serving(handler)
    assert results["feed_etag_304"] == ("failed", results["feed_etag_304"][1])
    assert "expected 304" in results["feed_etag_304"][1]


def test_a_server_error_is_a_failure_not_a_crash() -> None:
    results = _serving(lambda _: httpx.Response(500, text="boom"))
    assert {status for status, _ in results.values()} == {"failed"}


@pytest.mark.parametrize("as_text", [table, as_json])
def test_the_report_counts_each_status(as_text: Callable[..., str]) -> None:
    results = run_checks(TARGET, READ_CHECKS[:2], transport=httpx.MockTransport(lambda _: httpx.Response(500)))
    text = as_text(results)
    if as_text is as_json:
        assert json.loads(text)["summary"] == {"passed": 0, "failed": 2, "skipped": 0}
    else:
        assert "0 passed, 2 failed, 0 skipped" in text


def test_the_cli_exits_non_zero_when_a_check_fails(capsys: pytest.CaptureFixture[str]) -> None:
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens: every check fails
    with pytest.raises(SystemExit) as exit_info:
        main(["conformance", "--url", url, "--project-key", "phc_x", "--personal-key", "phx_y", "--timeout", "1"])
    assert exit_info.value.code == 1
    assert "failed" in capsys.readouterr().out
