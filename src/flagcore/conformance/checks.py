"""The read-only checks: evaluation response shapes per version, the definitions feed, errors, pagination.

Each needs only the project API key (``phc_``) and a personal API key (``phx_``); the feed checks use the project
secret key when given (``phs_``), else the personal key.
"""

from __future__ import annotations

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
from flagcore.conformance.write_checks import WRITE_CHECKS

_SUBJECT = "conformance-subject"


def _evaluate(session: Session, path: str) -> dict[str, Any]:
    body = {"api_key": session.target.project_key, "distinct_id": _SUBJECT}
    response = session.request("POST", path, json=body)
    expect_status(response, 200)
    return json_object(response)


def flags_detailed(session: Session) -> None:
    """``/flags?v=2``: ``flags`` records with key, enabled, variant, reason.code, metadata.id/version."""
    body = _evaluate(session, "/flags?v=2")
    expect(isinstance(body.get("flags"), dict), f"no `flags` object: {body}")
    expect(isinstance(body.get("errorsWhileComputingFlags"), bool), "`errorsWhileComputingFlags` is not a boolean")
    for key, record in body["flags"].items():
        expect(isinstance(record, dict) and record.get("key") == key, f"flag {key}: record without its key")
        expect(isinstance(record.get("enabled"), bool), f"flag {key}: `enabled` is not a boolean")
        expect("variant" in record, f"flag {key}: no `variant`")
        expect(isinstance(record.get("reason"), dict) and "code" in record["reason"], f"flag {key}: no reason.code")
        metadata = record.get("metadata")
        expect(isinstance(metadata, dict) and "id" in metadata and "version" in metadata, f"flag {key}: metadata")
    session.notes["flag_keys"] = sorted(body["flags"])


def flags_legacy(session: Session) -> None:
    """``/flags`` without ``v``: the legacy map, ``featureFlags`` for every evaluated flag."""
    body = _evaluate(session, "/flags")
    expect(isinstance(body.get("featureFlags"), dict), f"no `featureFlags` object: {body}")
    expect(isinstance(body.get("featureFlagPayloads", {}), dict), "`featureFlagPayloads` is not an object")
    for key, value in body["featureFlags"].items():
        expect(isinstance(value, bool | str), f"flag {key}: value {value!r} is neither a boolean nor a variant")
    known = session.notes.get("flag_keys")
    if known is not None:
        expect(sorted(body["featureFlags"]) == known, "the legacy map and /flags?v=2 name different flags")


def decide_versions(session: Session) -> None:
    """``/decide`` per version: v1 a list of enabled keys, v2 a map of enabled flags, v3 the legacy map, v4 detailed."""
    v1 = _evaluate(session, "/decide?v=1")
    expect(isinstance(v1.get("featureFlags"), list), f"/decide?v=1: `featureFlags` is not a list: {v1}")
    v2 = _evaluate(session, "/decide?v=2")
    expect(isinstance(v2.get("featureFlags"), dict), f"/decide?v=2: no `featureFlags` object: {v2}")
    expect(all(v is not False for v in v2["featureFlags"].values()), "/decide?v=2 lists a disabled flag")
    expect(sorted(v1["featureFlags"]) == sorted(v2["featureFlags"]), "/decide v1 and v2 name different flags")
    v3 = _evaluate(session, "/decide?v=3")
    expect(isinstance(v3.get("featureFlags"), dict), f"/decide?v=3: no `featureFlags` object: {v3}")
    v4 = _evaluate(session, "/decide?v=4")
    expect(isinstance(v4.get("flags"), dict), f"/decide?v=4: no `flags` object: {v4}")
    expect(sorted(v3["featureFlags"]) == sorted(v4["flags"]), "/decide v3 and v4 name different flags")
    enabled = sorted(key for key, value in v3["featureFlags"].items() if value is not False)
    expect(enabled == sorted(v2["featureFlags"]), "/decide v2 and the enabled flags of v3 differ")


def flags_bad_token(session: Session) -> None:
    """An unknown project API key: 401 with PostHog's error body."""
    response = session.request("POST", "/flags?v=2", json={"api_key": "phc_conformance_unknown", "distinct_id": "x"})
    expect_status(response, 401)
    expect_error_body(response)


def flags_bad_body(session: Session) -> None:
    """A body that is not JSON: a 4xx (never a 5xx)."""
    response = session.request("POST", "/flags?v=2", content=b"{not json", headers={"Content-Type": "application/json"})
    expect(400 <= response.status_code < 500, f"a malformed body answered {response.status_code}")  # noqa: PLR2004


def _feed_auth(session: Session) -> dict[str, str]:
    key = session.target.secret_key or session.target.personal_key
    return {"Authorization": f"Bearer {key}"}


def feed_etag(session: Session) -> None:
    """The definitions feed: flags, group_type_mapping, cohorts; an ETag, and 304 for ``If-None-Match``."""
    path = f"/api/feature_flag/local_evaluation?token={session.target.project_key}&send_cohorts"
    first = session.request("GET", path, headers=_feed_auth(session))
    expect_status(first, 200)
    body = json_object(first)
    expect(isinstance(body.get("flags"), list), "feed: no `flags` list")
    expect(isinstance(body.get("group_type_mapping"), dict), "feed: no `group_type_mapping` object")
    keys = [flag.get("key") for flag in body["flags"]]
    expect(keys == sorted(keys), "feed: flags are not sorted by key")
    expect(all(not flag.get("deleted") for flag in body["flags"]), "feed: serves a deleted flag")
    etag = first.headers.get("etag")
    expect(etag, "feed: no ETag header")
    again = session.request("GET", path, headers={**_feed_auth(session), "If-None-Match": str(etag)})
    expect_status(again, 304)
    expect(again.content == b"", "feed: a 304 with a body")
    other = session.request("GET", path, headers={**_feed_auth(session), "If-None-Match": '"not-the-etag"'})
    expect_status(other, 200)


def feed_unauthenticated(session: Session) -> None:
    """The feed without credentials: 401 with PostHog's error body."""
    response = session.request("GET", f"/api/feature_flag/local_evaluation?token={session.target.project_key}")
    expect_status(response, 401)
    expect_error_body(response)


def management_not_found(session: Session) -> None:
    """A flag that does not exist: 404 with PostHog's error body."""
    response = session.request("GET", "/api/projects/@current/feature_flags/2147480000/", headers=session.personal())
    expect_status(response, 404)
    expect_error_body(response)


def management_bad_key(session: Session) -> None:
    """An unknown personal API key: 401 with PostHog's error body."""
    headers = {"Authorization": "Bearer phx_conformance_unknown_key"}
    response = session.request("GET", "/api/projects/@current/feature_flags/", headers=headers)
    expect_status(response, 401)
    expect_error_body(response)


def management_pagination(session: Session) -> None:
    """Flag listing pages: ``count``, ``next``, ``previous``, ``results``; following ``next`` gives the next page."""
    response = session.request("GET", "/api/projects/@current/feature_flags/?limit=1", headers=session.personal())
    expect_status(response, 200)
    page = json_object(response)
    for key in ("count", "next", "previous", "results"):
        expect(key in page, f"flag list: no `{key}`")
    expect(len(page["results"]) <= 1, "flag list: more results than `limit`")
    if page["count"] < 2:  # noqa: PLR2004
        raise SkipCheckError("fewer than two flags in the project: the next page cannot be followed")
    expect(page["next"], "flag list: no `next` link although more flags exist")
    following = session.request("GET", str(page["next"]), headers=session.personal())
    expect_status(following, 200)
    second = json_object(following)
    expect(second["results"] and second["results"][0]["id"] != page["results"][0]["id"], "`next` repeats the page")
    expect(second.get("previous"), "the second page has no `previous` link")


READ_CHECKS: list[tuple[str, Check]] = [
    ("flags_v2_shape", flags_detailed),
    ("flags_legacy_shape", flags_legacy),
    ("decide_shapes_v1_to_v4", decide_versions),
    ("flags_unknown_token_401", flags_bad_token),
    ("flags_malformed_body_4xx", flags_bad_body),
    ("feed_etag_304", feed_etag),
    ("feed_unauthenticated_401", feed_unauthenticated),
    ("management_not_found_404", management_not_found),
    ("management_unknown_key_401", management_bad_key),
    ("management_pagination", management_pagination),
]
ALL_CHECKS: list[tuple[str, Check]] = READ_CHECKS + WRITE_CHECKS
