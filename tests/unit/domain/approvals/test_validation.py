from __future__ import annotations

import re
from datetime import timedelta

import pytest

from flagcore.domain.approvals.validation import (
    check_action_key,
    format_duration,
    parse_approver_config,
    parse_bypass_levels,
    parse_duration,
    parse_levels,
)
from flagcore.domain.errors import InvalidInputError


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"quorum": 0}, "Quorum must be at least 1"),
        ({"quorum": True}, "Quorum must be at least 1"),
        ({"users": ["a"]}, "Users must be a list of user ids"),
        ({"roles": ["chief"]}, "Roles do not exist: chief"),
        ("x", "Expected a dictionary of items."),
    ],
)
def test_approver_config_errors(value: object, message: str) -> None:
    with pytest.raises(InvalidInputError, match=re.escape(message)):
        parse_approver_config(value)


def test_roles_are_levels_by_name_or_number() -> None:
    assert parse_levels(["admin", 15, "admin"], attr="roles") == (8, 15)


def test_bypass_levels_must_be_integers() -> None:
    with pytest.raises(InvalidInputError, match="All membership levels must be integers"):
        parse_bypass_levels([8, "1"])


def test_unknown_action_key() -> None:
    with pytest.raises(InvalidInputError, match=re.escape("This approval action isn't available yet.")):
        check_action_key("experiment.launch")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("14 00:00:00", timedelta(days=14)),
        ("01:30:00", timedelta(hours=1, minutes=30)),
        ("90", timedelta(seconds=90)),
        (3600, timedelta(hours=1)),
    ],
)
def test_durations(raw: object, expected: timedelta) -> None:
    assert parse_duration(raw) == expected


@pytest.mark.parametrize("raw", ["two weeks", 0, -5, None])
def test_bad_durations(raw: object) -> None:
    with pytest.raises(InvalidInputError):
        parse_duration(raw)


def test_duration_rendering() -> None:
    assert format_duration(timedelta(days=14)) == "14 00:00:00"
    assert format_duration(timedelta(hours=2)) == "02:00:00"


@pytest.mark.parametrize("raw", ["999999999 00:00:00", 10**12, 10**400, "3651 00:00:00"])
def test_durations_are_bounded(raw: object) -> None:
    with pytest.raises(InvalidInputError, match="at most 3650 days"):
        parse_duration(raw)
