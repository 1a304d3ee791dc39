"""Pure sign-in rules: password length, the failure window and the lockout it leads to."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from flagcore.domain.errors import InvalidInputError
from flagcore.domain.identity.sign_in import (
    FAILURE_WINDOW,
    MAX_FAILED_SIGN_INS,
    SignInFailures,
    TooManyAttemptsError,
    lockout_left,
    validate_password,
    window_start,
)

NOW = datetime(2026, 12, 3, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("password", "code"), [("", "min_length"), ("1234567", "min_length"), ("x" * 257, "max_length")]
)
def test_bad_passwords_are_refused_on_the_password_field(password: str, code: str) -> None:
    with pytest.raises(InvalidInputError) as raised:
        validate_password(password)
    assert (raised.value.code, raised.value.attr) == (code, "password")


@pytest.mark.parametrize("password", ["12345678", "x" * 256, "pässwörd-ünïcode"])
def test_good_passwords_pass(password: str) -> None:
    assert validate_password(password) == password


@pytest.mark.parametrize(
    ("failures", "expected"),
    [
        (None, NOW),
        (SignInFailures(count=2, since=NOW - timedelta(minutes=5)), NOW - timedelta(minutes=5)),
        (SignInFailures(count=2, since=NOW - FAILURE_WINDOW), NOW),  # the window has passed: a new one
    ],
)
def test_a_failure_counts_in_the_current_window(failures: SignInFailures | None, expected: datetime) -> None:
    assert window_start(failures, NOW) == expected


@pytest.mark.parametrize(
    ("failures", "left"),
    [
        (None, None),
        (SignInFailures(count=MAX_FAILED_SIGN_INS - 1, since=NOW), None),
        (
            SignInFailures(count=MAX_FAILED_SIGN_INS, since=NOW - timedelta(minutes=5)),
            FAILURE_WINDOW - timedelta(minutes=5),
        ),
        (SignInFailures(count=MAX_FAILED_SIGN_INS + 3, since=NOW - FAILURE_WINDOW), None),
    ],
)
def test_lockout_after_too_many_failures_until_the_window_ends(
    failures: SignInFailures | None, left: timedelta | None
) -> None:
    assert lockout_left(failures, NOW) == left


@pytest.mark.parametrize(
    ("left", "minutes"), [(timedelta(seconds=1), 1), (timedelta(minutes=10), 10), (timedelta(seconds=61), 2)]
)
def test_the_lockout_message_rounds_up_to_minutes(left: timedelta, minutes: int) -> None:
    assert f"Try again in {minutes} minute(s)." in TooManyAttemptsError(left).detail
