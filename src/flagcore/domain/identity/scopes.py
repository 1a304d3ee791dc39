"""Personal API key scopes (``<object>:<read|write>`` or ``*``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from flagcore.domain.errors import InvalidInputError

ALL_SCOPES: Final = "*"
KNOWN_OBJECTS: Final = frozenset(
    {
        "feature_flag",
        "project",
        "organization",
        "organization_member",
        "activity_log",
        "cohort",
        "approvals",
        "person",
        "group",
        "user",
        "personal_api_key",
    }
)


def has_scope(granted: Iterable[str], required: str) -> bool:
    """True if ``granted`` satisfies ``required``: ``*`` satisfies all, ``x:write`` also satisfies ``x:read``."""
    obj, _, action = required.partition(":")
    for scope in granted:
        if scope in (ALL_SCOPES, required):
            return True
        if action == "read" and scope == f"{obj}:write":
            return True
    return False


def validate_scopes(scopes: Iterable[str]) -> tuple[str, ...]:
    """Check scope strings and return them de-duplicated in order.

    Raises:
        InvalidInputError: an unknown object or action (attr ``scopes``).
    """
    out: dict[str, None] = {}
    for scope in scopes:
        obj, sep, action = scope.partition(":")
        if scope != ALL_SCOPES and not (sep and obj in KNOWN_OBJECTS and action in {"read", "write"}):
            raise InvalidInputError(f"Invalid scope: {scope}", attr="scopes")
        out.setdefault(scope, None)
    if not out:
        raise InvalidInputError("At least one scope is required.", attr="scopes")
    return tuple(out)
