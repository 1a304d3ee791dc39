"""The real posthog-python client (7.91.1) against a real flagcore server: remote and local evaluation."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import posthog.client
import pytest
from posthog import Posthog

from tests.e2e.conftest import Server

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.xdist_group("e2e"),
    # The per-flag getters are deprecated in 7.x but are what most applications still call: test them on purpose.
    pytest.mark.filterwarnings("ignore::DeprecationWarning:tests.e2e.test_posthog_client"),
]

EMAIL_FLAG = {
    "key": "beta-email",
    "filters": {
        "groups": [{"properties": [{"key": "email", "operator": "icontains", "value": "@example.com"}]}],
        "payloads": {"true": '{"banner": "hello"}'},
    },
}
SPLIT_FLAG = {
    "key": "checkout-test",
    "filters": {
        "groups": [{"properties": [], "rollout_percentage": 100}],
        "multivariate": {
            "variants": [{"key": "control", "rollout_percentage": 50}, {"key": "test", "rollout_percentage": 50}]
        },
        "payloads": {"test": '{"color": "blue"}', "control": '{"color": "grey"}'},
    },
}
ROLLOUT_FLAG = {"key": "half", "filters": {"groups": [{"properties": [], "rollout_percentage": 50}]}}
PLAN_FLAG = {
    "key": "pro-only",
    "filters": {"groups": [{"properties": [{"key": "plan", "operator": "exact", "value": ["pro", "enterprise"]}]}]},
}
OFF_FLAG = {"key": "switched-off", "active": False, "filters": {"groups": [{"rollout_percentage": 100}]}}
FLAGS = [EMAIL_FLAG, SPLIT_FLAG, ROLLOUT_FLAG, PLAN_FLAG, OFF_FLAG]
SUBJECTS: list[tuple[str, dict[str, Any]]] = [
    (f"user-{i}", {"email": f"u{i}@{'example.com' if i % 2 else 'corp.io'}", "plan": ["free", "pro"][i % 2]})
    for i in range(40)
]


COMPANY_FLAG = {
    "key": "enterprise-dashboard",
    "filters": {
        "aggregation_group_type_index": 0,
        "groups": [
            {
                "properties": [
                    {"key": "seats", "operator": "gte", "value": 50, "type": "group", "group_type_index": 0}
                ],
                "rollout_percentage": 100,
            }
        ],
        "payloads": {"true": '{"tier": "gold"}'},
    },
}


@pytest.fixture(scope="module")
def project(server: Server) -> Server:
    with server.client() as client:
        registered = client.post("/api/projects/@current/groups_types/", json={"group_type": "company"})
        assert registered.status_code == 201, registered.text
        for flag in [*FLAGS, COMPANY_FLAG]:
            response = client.post("/api/projects/@current/feature_flags/", json=flag)
            assert response.status_code == 201, response.text
    return server


def make_client(server: Server, *, secret: bool) -> Posthog:
    return Posthog(
        server.credentials["project_api_key"],
        host=server.base_url,
        secret_key=server.credentials["project_secret_api_key"] if secret else None,
        send=False,  # these tests are about flags; capture through the SDKs is tests/e2e/test_sdk_capture.py
        poll_interval=3600,
        feature_flags_request_timeout_seconds=10,
    )


@pytest.fixture
def remote(project: Server) -> Iterator[Posthog]:
    client = make_client(project, secret=False)
    yield client
    client.shutdown()


@pytest.fixture
def local(project: Server) -> Iterator[Posthog]:
    client = make_client(project, secret=True)
    client.load_feature_flags()
    yield client
    client.shutdown()


def test_remote_flag_values_and_payloads(remote: Posthog) -> None:
    assert remote.get_feature_flag("beta-email", "a", person_properties={"email": "x@example.com"}) is True
    assert remote.get_feature_flag("beta-email", "a", person_properties={"email": "x@corp.io"}) is False
    assert remote.get_feature_flag_payload("beta-email", "a", person_properties={"email": "x@example.com"}) == {
        "banner": "hello"
    }
    variant = remote.get_feature_flag("checkout-test", "user-1")
    assert variant in {"control", "test"}
    assert remote.get_feature_flag_payload("checkout-test", "user-1") == {
        "color": "blue" if variant == "test" else "grey"
    }
    assert remote.get_feature_flag("switched-off", "user-1") in {False, None}


def test_evaluate_flags_snapshot(remote: Posthog) -> None:
    snapshot = remote.evaluate_flags("user-7", person_properties={"plan": "pro", "email": "z@example.com"})
    assert snapshot.is_enabled("pro-only")
    assert snapshot.is_enabled("beta-email")
    assert snapshot.get_flag("checkout-test") in {"control", "test"}


def test_local_evaluation_polls_definitions_and_honours_304(project: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[int, str | None]] = []
    client = make_client(project, secret=True)
    try:
        real_get = posthog.client.get

        def recording_get(*args: Any, **kwargs: Any) -> Any:
            response = real_get(*args, **kwargs)
            seen.append((304 if response.not_modified else 200, kwargs.get("etag")))
            return response

        monkeypatch.setattr(posthog.client, "get", recording_get)
        client.load_feature_flags()
        client.load_feature_flags()
        assert [status for status, _ in seen] == [200, 304]
        assert seen[1][1] is not None
        assert seen[1][1].startswith('W/"')  # the ETag is sent back verbatim
        assert len(client.feature_flags) == len(FLAGS) + 1  # the 304 kept the definitions
    finally:
        client.shutdown()


def test_local_results_equal_remote_results(local: Posthog, remote: Posthog) -> None:
    for distinct_id, props in SUBJECTS:
        for flag in ("beta-email", "checkout-test", "half", "pro-only"):
            local_value = local.get_feature_flag(flag, distinct_id, person_properties=props, only_evaluate_locally=True)
            remote_value = remote.get_feature_flag(flag, distinct_id, person_properties=props)
            assert local_value == remote_value, (flag, distinct_id)


def test_group_flags_remote_and_local(local: Posthog, remote: Posthog) -> None:
    for client, only_local in ((remote, False), (local, True)):
        big = client.evaluate_flags(
            "user-1",
            groups={"company": "acme"},
            group_properties={"company": {"seats": 120}},
            only_evaluate_locally=only_local,
        )
        assert big.is_enabled("enterprise-dashboard"), client
        assert big.get_flag_payload("enterprise-dashboard") == {"tier": "gold"}
        small = client.evaluate_flags(
            "user-1",
            groups={"company": "tiny"},
            group_properties={"company": {"seats": 3}},
            only_evaluate_locally=only_local,
        )
        assert not small.is_enabled("enterprise-dashboard")


def test_legacy_local_evaluation_route_serves_older_sdks(project: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    """Older posthog-python releases poll ``/api/feature_flag/local_evaluation``: the client, pointed there, loads
    the same definitions, keeps them on a 304 and evaluates locally as from the current route."""
    seen: list[tuple[str, bool]] = []
    real_get = posthog.client.get

    def legacy_get(api_key: str, url: str, *args: Any, **kwargs: Any) -> Any:
        legacy_url = url.replace("/flags/definitions", "/api/feature_flag/local_evaluation")
        response = real_get(api_key, legacy_url, *args, **kwargs)
        seen.append((legacy_url.split("?")[0], response.not_modified))
        return response

    monkeypatch.setattr(posthog.client, "get", legacy_get)
    client = make_client(project, secret=True)
    try:
        client.load_feature_flags()
        client.load_feature_flags()
        assert seen == [("/api/feature_flag/local_evaluation", False), ("/api/feature_flag/local_evaluation", True)]
        assert len(client.feature_flags) == len(FLAGS) + 1
        value = client.get_feature_flag(
            "beta-email", "u", person_properties={"email": "a@example.com"}, only_evaluate_locally=True
        )
        assert value is True
    finally:
        client.shutdown()
