"""The ``/flags`` endpoint's raw-scope helpers (the routes themselves are exercised in tests/integration/http)."""

from __future__ import annotations

import uuid

from flagcore.app.http.asgi import scope_headers
from flagcore.app.observability.request_id import new_request_id, request_id_of


def test_scope_headers_lower_cases_names_and_keeps_the_first_of_repeats() -> None:
    raw = [
        (b"User-Agent", b"posthog-python/7"),
        (b"x-request-id", b"a"),
        (b"X-Request-Id", b"b"),
        (b"referer", b"\xe9"),
    ]
    assert scope_headers(raw) == {"user-agent": "posthog-python/7", "x-request-id": "a", "referer": "\u00e9"}


def test_generated_request_ids_are_canonical_random_uuid4s() -> None:
    ids = {new_request_id() for _ in range(2000)}
    assert len(ids) == 2000
    for text in ids:
        parsed = uuid.UUID(text)
        assert (parsed.version, parsed.variant) == (4, uuid.RFC_4122)
        assert str(parsed) == text
    # Every variant digit occurs: the two random bits under the variant are kept.
    assert {text[19] for text in ids} == set("89ab")


def test_a_supplied_uuid_request_id_is_kept_in_canonical_form() -> None:
    mine = uuid.uuid4()
    assert new_request_id(str(mine).upper()) == str(mine)
    assert new_request_id("not-a-uuid") != "not-a-uuid"
    assert request_id_of([(b"accept", b"*/*"), (b"X-Request-Id", str(mine).encode())]) == str(mine)
    assert uuid.UUID(request_id_of([(b"x-request-id", b"not-a-uuid\n{}")])).version == 4
