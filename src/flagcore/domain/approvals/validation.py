"""Checking an approval policy's fields as PostHog's serializer does, with its messages."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any, Final

from flagcore.domain.approvals.model import ACTION_KEYS, ApproverConfig
from flagcore.domain.errors import InvalidInputError

#: Role names flagcore accepts in place of PostHog role UUIDs: organization membership levels.
LEVEL_NAMES: Final = {"member": 1, "admin": 8, "owner": 15}
_LEVELS: Final = frozenset(LEVEL_NAMES.values())
_MAX_EXPIRY_S: Final = 3650 * 86400
_MAX_DURATION_TEXT: Final = 40
# DRF's DurationField: "[DD] [HH:[MM:]]ss[.uuuuuu]".
_DURATION: Final = re.compile(r"^(?:(?P<d>-?\d+) )?(?:(?:(?P<h>\d+):)?(?P<m>\d+):)?(?P<s>\d+(?:\.\d+)?)$")


def check_action_key(value: object) -> str:
    if not isinstance(value, str) or value not in ACTION_KEYS:
        raise InvalidInputError("This approval action isn't available yet.", attr="action_key")
    return value


#: Approver users (and quorum) a policy may name: a bound on the work of every gated write and every vote.
MAX_APPROVERS: Final = 100


def parse_approver_config(value: object) -> ApproverConfig:
    """``{"quorum": n >= 1, "users": [ids], "roles": [levels]}``."""
    if not isinstance(value, dict):
        raise InvalidInputError("Expected a dictionary of items.", code="not_a_dict", attr="approver_config")
    quorum = value.get("quorum", 1)
    if not _is_int(quorum) or quorum < 1:
        raise InvalidInputError("Quorum must be at least 1", attr="approver_config")
    users = value.get("users") or []
    if not isinstance(users, list) or not all(_is_int(u) for u in users):
        raise InvalidInputError("Users must be a list of user ids", attr="approver_config")
    if len(users) > MAX_APPROVERS or quorum > MAX_APPROVERS:
        raise InvalidInputError(f"At most {MAX_APPROVERS} approvers.", attr="approver_config")
    roles = parse_levels(value.get("roles"), attr="approver_config")
    users = list(dict.fromkeys(users))  # a user listed twice still approves once
    if users and not roles and quorum > len(users):
        # The listed users could never reach it: every change the policy gates would wait until it expired.
        raise InvalidInputError("Quorum cannot be larger than the number of approvers.", attr="approver_config")
    return ApproverConfig(quorum=quorum, users=tuple(users), roles=roles)


def parse_levels(value: object, *, attr: str) -> tuple[int, ...]:
    """Roles as membership levels: ``member``/``admin``/``owner`` or 1/8/15.

    Raises:
        InvalidInputError: PostHog's "Roles do not exist: ..." for anything else.
    """
    if value is None:
        return ()
    if not isinstance(value, list):
        raise InvalidInputError(f'Expected a list of items but got type "{type(value).__name__}".', attr=attr)
    levels: list[int] = []
    unknown: list[str] = []
    for item in value:
        level = LEVEL_NAMES.get(item) if isinstance(item, str) else item if _is_int(item) else None
        if level is None or level not in _LEVELS:
            unknown.append(str(item))
        else:
            levels.append(level)
    if unknown:
        raise InvalidInputError(f"Roles do not exist: {', '.join(unknown)}", attr=attr)
    return tuple(dict.fromkeys(levels))


def parse_bypass_levels(value: object) -> tuple[int, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(_is_int(v) for v in value):
        raise InvalidInputError("All membership levels must be integers", attr="bypass_org_membership_levels")
    return tuple(value)


def parse_duration(value: object) -> timedelta:
    """A duration as DRF reads it ("14 00:00:00", "3600") or a number of seconds."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(min(value, _MAX_EXPIRY_S + 1))  # huge ints: compared before float() could overflow
    elif isinstance(value, str) and len(value) <= _MAX_DURATION_TEXT and (match := _DURATION.match(value.strip())):
        seconds = (
            int(match["d"] or 0) * 86400 + int(match["h"] or 0) * 3600 + int(match["m"] or 0) * 60 + float(match["s"])
        )
    else:
        raise InvalidInputError(
            "Duration has wrong format. Use one of these formats instead: [DD] [HH:[MM:]]ss[.uuuuuu].",
            code="invalid",
            attr="expires_after",
        )
    if seconds <= 0:
        raise InvalidInputError("Ensure this value is greater than 0.", attr="expires_after")
    if seconds > _MAX_EXPIRY_S:  # also keeps the expiry instant representable
        raise InvalidInputError("Ensure this value is at most 3650 days.", attr="expires_after")
    return timedelta(seconds=seconds)


def format_duration(value: timedelta) -> str:
    """DRF's rendering of a duration: ``"14 00:00:00"``, or ``"01:00:00"`` under a day."""
    days, rest = divmod(int(value.total_seconds()), 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    clock = f"{hours:02d}:{minutes:02d}:{seconds:02d}"
    return f"{days} {clock}" if days else clock


def check_conditions(value: object) -> Any:  # noqa: ANN401 - JSON
    if value is None:
        return {}
    if not isinstance(value, dict | list):
        raise InvalidInputError("Conditions must be an object or a list of objects", attr="conditions")
    return value


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
