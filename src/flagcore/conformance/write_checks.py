"""The write checks, in a scratch project the kit creates (only when the personal key may create projects).

Create, update, optimistic concurrency (a stale ``version`` with a conflicting ``original_flag`` is a 409 for
PostHog and flagcore alike), soft delete (gone from listings, the feed and ``/flags``), and PostHog's public
consistency vectors: ``simple-flag`` at 45% and ``multivariate-flag`` at 55%, evaluated for ``distinct_id_0`` to
``distinct_id_999`` over ``/flags``, must give exactly PostHog's counts.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from flagcore.conformance.kit import (
    Check,
    Session,
    SkipCheckError,
    expect,
    expect_error_body,
    expect_status,
    json_object,
)

_FLAG = "conformance-flag"
#: posthog-python test_feature_flags.py TestConsistency (and the Rust server's consistency tests).
_SIMPLE_TRUE = 446
_MULTIVARIATE = {
    "false": 444,
    "first-variant": 290,
    "second-variant": 110,
    "third-variant": 111,
    "fourth-variant": 24,
    "fifth-variant": 21,
}
_VARIANTS = [
    ("first-variant", 50),
    ("second-variant", 20),
    ("third-variant", 20),
    ("fourth-variant", 5),
    ("fifth-variant", 5),
]


def _scratch(session: Session) -> dict[str, Any]:
    if session.scratch is None:
        raise SkipCheckError(session.scratch_error or "no scratch project")
    return session.scratch


def _flags_path(session: Session) -> str:
    return f"/api/projects/{_scratch(session)['id']}/feature_flags/"


def scratch_project(session: Session) -> None:
    """A new project of the key's current organization, for the write checks (left behind, named by the run)."""
    name = f"conformance-{session.run_id}"
    response = session.request(
        "POST", "/api/organizations/@current/projects/", json={"name": name}, headers=session.personal()
    )
    if response.status_code in {401, 403}:
        session.scratch_error = f"the personal key may not create projects ({response.status_code}): writes skipped"
        raise SkipCheckError(session.scratch_error)
    expect_status(response, 200, 201)
    project = json_object(response)
    expect(isinstance(project.get("id"), int) and project.get("api_token"), f"project without id/api_token: {project}")
    session.scratch = project


def create_flag(session: Session) -> None:
    body = {"key": _FLAG, "name": "before", "filters": {"groups": [{"properties": [], "rollout_percentage": 100}]}}
    response = session.request("POST", _flags_path(session), json=body, headers=session.personal())
    expect_status(response, 201)
    flag = json_object(response)
    expect(flag.get("key") == _FLAG and isinstance(flag.get("id"), int), f"created flag: {flag}")
    expect(flag.get("version", 1) == 1, f"a new flag has version {flag.get('version')}")
    expect(flag.get("deleted") is False, "a new flag is deleted")
    session.notes["flag"] = flag
    duplicate = session.request("POST", _flags_path(session), json=body, headers=session.personal())
    expect_status(duplicate, 400)
    expect_error_body(duplicate)


def _flag(session: Session) -> dict[str, Any]:
    _scratch(session)
    flag = session.notes.get("flag")
    if flag is None:
        raise SkipCheckError("the flag was not created")
    return dict(flag)


def update_flag(session: Session) -> None:
    flag = _flag(session)
    path = f"{_flags_path(session)}{flag['id']}/"
    response = session.request(
        "PATCH", path, json={"name": "after", "version": flag.get("version", 1)}, headers=session.personal()
    )
    expect_status(response, 200)
    updated = json_object(response)
    expect(updated.get("name") == "after", "the update was not applied")
    if "version" in flag:
        expect(updated.get("version") == flag["version"] + 1, f"version {flag['version']} -> {updated.get('version')}")
    session.notes["flag"] = updated


def stale_version(session: Session) -> None:
    flag = _flag(session)
    if flag.get("name") != "after":
        raise SkipCheckError("the update check failed")
    body = {"name": "stale write", "version": 1, "original_flag": {"name": "before"}}
    response = session.request("PATCH", f"{_flags_path(session)}{flag['id']}/", json=body, headers=session.personal())
    expect_status(response, 409)
    expect_error_body(response)


def soft_delete(session: Session) -> None:
    flag = _flag(session)
    path = f"{_flags_path(session)}{flag['id']}/"
    response = session.request("PATCH", path, json={"deleted": True}, headers=session.personal())
    expect_status(response, 200)
    expect(json_object(response).get("deleted") is True, "the flag is not marked deleted")
    listing = json_object(session.request("GET", _flags_path(session), headers=session.personal()))
    expect(all(f["id"] != flag["id"] for f in listing.get("results", [])), "a deleted flag is still listed")
    feed = session.request("GET", f"{_flags_path(session)}local_evaluation", headers=session.personal())
    expect_status(feed, 200)
    expect(all(f["key"] != _FLAG for f in json_object(feed)["flags"]), "the feed still serves the deleted flag")
    flags = _evaluate(session, "someone")
    expect(_FLAG not in flags, "/flags still evaluates the deleted flag")


def _evaluate(session: Session, distinct_id: str) -> dict[str, Any]:
    body = {"api_key": _scratch(session)["api_token"], "distinct_id": distinct_id}
    response = session.request("POST", "/flags?v=2", json=body)
    expect_status(response, 200)
    return dict(json_object(response)["flags"])


def public_vectors(session: Session) -> None:
    _scratch(session)
    simple = {"key": "simple-flag", "filters": {"groups": [{"properties": [], "rollout_percentage": 45}]}}
    multivariate = {
        "key": "multivariate-flag",
        "filters": {
            "groups": [{"properties": [], "rollout_percentage": 55}],
            "multivariate": {"variants": [{"key": k, "rollout_percentage": p} for k, p in _VARIANTS]},
        },
    }
    for body in (simple, multivariate):
        expect_status(session.request("POST", _flags_path(session), json=body, headers=session.personal()), 201)
    simple_true = 0
    variants: Counter[str] = Counter()
    for index in range(1000):
        flags = _evaluate(session, f"distinct_id_{index}")
        simple_true += flags["simple-flag"]["enabled"] is True
        record = flags["multivariate-flag"]
        variants[str(record["variant"]) if record["enabled"] else "false"] += 1
    expect(simple_true == _SIMPLE_TRUE, f"simple-flag at 45%: {simple_true} of 1000 enabled, PostHog: {_SIMPLE_TRUE}")
    expect(dict(variants) == _MULTIVARIATE, f"multivariate-flag: {dict(variants)}, PostHog: {_MULTIVARIATE}")


WRITE_CHECKS: list[tuple[str, Check]] = [
    ("write_scratch_project", scratch_project),
    ("write_create_flag", create_flag),
    ("write_update_flag", update_flag),
    ("write_stale_version_409", stale_version),
    ("write_soft_delete", soft_delete),
    ("public_consistency_vectors", public_vectors),
]
