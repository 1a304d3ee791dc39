"""PostHog's membership rules as pure functions: who may add, re-level and remove whom."""

from __future__ import annotations

import pytest

from flagcore.domain.errors import InvalidInputError
from flagcore.domain.identity import Membership, MembershipLevel
from flagcore.domain.identity.members import (
    LastOwnerError,
    MemberEditForbiddenError,
    check_can_add,
    check_can_change_level,
    check_can_remove,
    parse_level,
)
from flagcore.domain.identity.naming import validate_email, validate_timezone

M, A, OWNER = MembershipLevel.MEMBER, MembershipLevel.ADMIN, MembershipLevel.OWNER


def who(user_id: int, level: MembershipLevel) -> Membership:
    return Membership(organization_id="org", user_id=user_id, level=level)


@pytest.mark.parametrize(
    ("actor", "target", "level", "owners", "error"),
    [
        (OWNER, M, A, 1, None),
        (OWNER, M, OWNER, 1, None),
        (OWNER, OWNER, A, 2, None),
        (
            OWNER,
            OWNER,
            A,
            1,
            LastOwnerError,
        ),  # cannot happen through the API (only owners edit owners), kept as a guard
        (A, M, A, 1, None),
        (A, M, OWNER, 1, MemberEditForbiddenError),  # only owners make owners
        (A, OWNER, A, 1, MemberEditForbiddenError),  # nobody edits someone above them
        (A, A, M, 1, None),
        (M, M, M, 1, MemberEditForbiddenError),  # members manage nobody
    ],
)
def test_change_level(
    actor: MembershipLevel,
    target: MembershipLevel,
    level: MembershipLevel,
    owners: int,
    error: type[Exception] | None,
) -> None:
    if error is None:
        check_can_change_level(who(1, actor), who(2, target), level, owners)
    else:
        with pytest.raises(error):
            check_can_change_level(who(1, actor), who(2, target), level, owners)


def test_nobody_changes_their_own_level() -> None:
    with pytest.raises(MemberEditForbiddenError, match="your own access level"):
        check_can_change_level(who(1, OWNER), who(1, OWNER), A, 2)


@pytest.mark.parametrize(
    ("actor", "target", "owners", "error"),
    [
        (M, M, 1, MemberEditForbiddenError),  # a member removing another member (leaving: below)
        (A, M, 1, None),
        (A, OWNER, 1, MemberEditForbiddenError),
        (OWNER, OWNER, 2, None),
        (M, A, 1, MemberEditForbiddenError),
    ],
)
def test_remove_others(
    actor: MembershipLevel, target: MembershipLevel, owners: int, error: type[Exception] | None
) -> None:
    if error is None:
        check_can_remove(who(1, actor), who(2, target), owners)
    else:
        with pytest.raises(error):
            check_can_remove(who(1, actor), who(2, target), owners)


def test_leaving() -> None:
    check_can_remove(who(1, M), who(1, M), 1)
    check_can_remove(who(1, OWNER), who(1, OWNER), 2)
    with pytest.raises(LastOwnerError):
        check_can_remove(who(1, OWNER), who(1, OWNER), 1)


def test_adding() -> None:
    check_can_add(who(1, OWNER), OWNER)
    check_can_add(who(1, A), A)
    for actor, level in ((A, OWNER), (M, M)):
        with pytest.raises(MemberEditForbiddenError):
            check_can_add(who(1, actor), level)


def test_levels_timezones_and_emails() -> None:
    assert parse_level(8) is A
    with pytest.raises(InvalidInputError):
        parse_level(2)
    assert validate_timezone("Asia/Kolkata") == "Asia/Kolkata"
    for bad in ("asia/kolkata", "Europe/../etc", "", "UTC\x00"):
        with pytest.raises(InvalidInputError):
            validate_timezone(bad)
    assert validate_email(" a@b.io ") == "a@b.io"
    for bad in ("a", "@b.io", "a@b", "a b@c.io", "a@b.io\x00"):
        with pytest.raises(InvalidInputError):
            validate_email(bad)
