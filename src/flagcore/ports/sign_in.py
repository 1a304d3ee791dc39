"""Storage for the admin UI's sign-in: sessions shared by every instance, password hashes, failed attempts."""

from __future__ import annotations

from abc import abstractmethod
from datetime import datetime
from typing import Protocol

from flagcore.domain.identity.sign_in import SignInFailures, UiSession


class SessionStore(Protocol):
    """Signed-in browser sessions, by the hash of their token. Every method is atomic on its own."""

    @abstractmethod
    async def add(self, session: UiSession) -> None:
        """Store a new session (token hashes are random and never reused)."""
        ...

    @abstractmethod
    async def get(self, token_hash: str) -> UiSession | None:
        """The session with this token hash, expired or not; None if there is none (or it was removed)."""
        ...

    @abstractmethod
    async def remove(self, token_hash: str) -> None:
        """Forget the session (signing out); removing an unknown one does nothing."""
        ...

    @abstractmethod
    async def remove_for_user(self, user_id: int) -> int:
        """Forget every session of this user (after a password change); returns how many there were."""
        ...


class PasswordStore(Protocol):
    """Users' password hashes and failed sign-in counts (per email, lower-cased by the caller)."""

    @abstractmethod
    async def get_hash(self, user_id: int) -> str | None:
        """The user's password hash; None when no password was ever set."""
        ...

    @abstractmethod
    async def set_hash(self, user_id: int, password_hash: str) -> None:
        """Set (or replace) the user's password hash."""
        ...

    @abstractmethod
    async def failures(self, email: str) -> SignInFailures | None:
        """The failed attempts recorded for this email; None when there are none."""
        ...

    @abstractmethod
    async def record_failure(self, email: str, since: datetime) -> SignInFailures:
        """Count one more failure in the window beginning ``since``.

        If the stored window began at ``since`` the count goes up by one (atomically: concurrent failures all
        count); otherwise the count restarts at 1 with this window.
        """
        ...

    @abstractmethod
    async def clear_failures(self, email: str) -> None:
        """Forget the email's failures (after a successful sign-in)."""
        ...


class PasswordHasher(Protocol):
    """A slow, salted password hash (argon2id)."""

    @abstractmethod
    def hash(self, password: str) -> str:
        """The encoded hash of ``password`` (salt and parameters included)."""
        ...

    @abstractmethod
    def verify(self, password_hash: str, password: str) -> bool:
        """Whether ``password`` matches ``password_hash``; False for any malformed hash."""
        ...
