"""Signing in to the admin UI: sessions, password rules and the bound on failed attempts.

A session is a random token held by the browser in an HttpOnly cookie; the server stores only its hash (like API
keys), the user it belongs to, its CSRF token and its expiry. Failed sign-ins are counted per email: after
``MAX_FAILED_SIGN_INS`` within ``FAILURE_WINDOW`` further attempts are refused until the window has passed.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final

import msgspec

from flagcore.domain.errors import InvalidInputError, UnauthenticatedError

MIN_PASSWORD_LENGTH: Final = 8
MAX_PASSWORD_LENGTH: Final = 256
MAX_FAILED_SIGN_INS: Final = 5
FAILURE_WINDOW: Final = timedelta(minutes=15)
SESSION_LIFETIME: Final = timedelta(days=7)


class UiSession(msgspec.Struct, frozen=True, kw_only=True):
    """A signed-in browser. ``token_hash`` is the stored form of the cookie's value (see ``hash_secret``)."""

    token_hash: str
    user_id: int
    csrf_token: str
    created_at: datetime
    expires_at: datetime

    def expired(self, now: datetime) -> bool:
        return now >= self.expires_at


class SignInFailures(msgspec.Struct, frozen=True, kw_only=True):
    """Failed attempts for one email since ``since`` (the first failure of the current window)."""

    count: int
    since: datetime


class BadCredentialsError(UnauthenticatedError):
    """Wrong email or password: one message for both, so that which emails exist is not disclosed."""

    code = "authentication_failed"

    def __init__(self) -> None:
        super().__init__("Incorrect email or password.")


class TooManyAttemptsError(UnauthenticatedError):
    code = "too_many_attempts"

    def __init__(self, retry_after: timedelta) -> None:
        minutes = max(1, int(retry_after.total_seconds() // 60) + (1 if retry_after.total_seconds() % 60 else 0))
        super().__init__(f"Too many failed sign-in attempts. Try again in {minutes} minute(s).")
        self.retry_after = retry_after


def validate_password(password: str) -> str:
    """The password if it may be set.

    Raises:
        InvalidInputError: shorter than 8 or longer than 256 characters (attr ``password``).
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInputError(
            f"Ensure this field has at least {MIN_PASSWORD_LENGTH} characters.", code="min_length", attr="password"
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInputError(
            f"Ensure this field has no more than {MAX_PASSWORD_LENGTH} characters.", code="max_length", attr="password"
        )
    return password


def window_start(failures: SignInFailures | None, now: datetime) -> datetime:
    """When the window a new failure counts in began: the stored one, or now if there is none or it has passed."""
    if failures is None or now - failures.since >= FAILURE_WINDOW:
        return now
    return failures.since


def lockout_left(failures: SignInFailures | None, now: datetime) -> timedelta | None:
    """How long sign-ins stay refused for this email; None when an attempt may be made."""
    if failures is None or failures.count < MAX_FAILED_SIGN_INS:
        return None
    left = failures.since + FAILURE_WINDOW - now
    return left if left > timedelta(0) else None
