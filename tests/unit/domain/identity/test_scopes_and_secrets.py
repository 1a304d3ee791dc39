from __future__ import annotations

import pytest

from flagcore.domain.errors import InvalidInputError
from flagcore.domain.identity import has_scope, hash_secret, mask_secret, validate_scopes


@pytest.mark.parametrize(
    ("granted", "required", "expected"),
    [
        (["*"], "feature_flag:write", True),
        (["feature_flag:write"], "feature_flag:read", True),
        (["feature_flag:read"], "feature_flag:read", True),
        (["feature_flag:read"], "feature_flag:write", False),
        (["cohort:write"], "feature_flag:read", False),
        ([], "feature_flag:read", False),
    ],
)
def test_scope_rules(granted: list[str], required: str, expected: bool) -> None:
    assert has_scope(granted, required) is expected


def test_validate_scopes_rejects_unknown_and_empty() -> None:
    assert validate_scopes(["feature_flag:read", "feature_flag:read", "*"]) == ("feature_flag:read", "*")
    for bad in (["feature_flag:admin"], ["nothing:read"], ["plain"], []):
        with pytest.raises(InvalidInputError):
            validate_scopes(bad)


def test_secrets_are_hashed_deterministically_and_never_stored_plain() -> None:
    secret = "phx_abcdefghijklmnop"
    assert hash_secret(secret) == hash_secret(secret)
    assert secret not in hash_secret(secret)
    assert hash_secret(secret) != hash_secret(secret + "x")
    assert mask_secret(secret) == "phx_...mnop"
