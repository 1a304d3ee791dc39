"""Use case: who is calling. Credentials become a ``Principal`` once per request, whatever the route."""

from __future__ import annotations

from datetime import timedelta

from flagcore.domain.identity import (
    PROJECT_SECRET_KEY_PREFIX,
    InvalidCredentialsError,
    NotAuthenticatedError,
    Principal,
    hash_secret,
)
from flagcore.ports.clock import Clock
from flagcore.ports.identity import ApiKeyRepo, ProjectRepo, UserRepo

# Writing last_used_at on every request would turn each read into a write; a coarse timestamp is enough.
_LAST_USED_RESOLUTION = timedelta(hours=1)


class Authenticate:
    """Resolve ``Authorization: Bearer <phx_ or phs_ key>`` to the caller."""

    def __init__(self, users: UserRepo, projects: ProjectRepo, keys: ApiKeyRepo, clock: Clock) -> None:
        self._users = users
        self._projects = projects
        self._keys = keys
        self._clock = clock

    async def execute(self, authorization: str | None) -> Principal:
        """The principal the header names.

        Raises:
            NotAuthenticatedError: no bearer credentials (401).
            InvalidCredentialsError: an unknown personal or secret key (401).
        """
        token = bearer_token(authorization)
        if token is None:
            raise NotAuthenticatedError
        if token.startswith(PROJECT_SECRET_KEY_PREFIX):
            project = await self._projects.get_by_secret_key(hash_secret(token))
            if project is None:
                raise InvalidCredentialsError("Project secret API key is invalid.")
            return Principal(secret_key_project=project)
        key = await self._keys.get_by_secure_value(hash_secret(token))
        user = await self._users.get(key.user_id) if key is not None else None
        if key is None or user is None:
            raise InvalidCredentialsError
        now = self._clock.now()
        if key.last_used_at is None or now - key.last_used_at >= _LAST_USED_RESOLUTION:
            await self._keys.mark_used(key.id, now)
        return Principal(user=user, key=key)


def bearer_token(authorization: str | None) -> str | None:
    """The credential of an ``Authorization: Bearer <token>`` header (any case of ``Bearer``), else None."""
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None
