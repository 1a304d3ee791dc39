"""Authentication and authorization errors, with PostHog's (DRF's) messages."""

from __future__ import annotations

from flagcore.domain.errors import ForbiddenError, NotFoundError, UnauthenticatedError


class NotAuthenticatedError(UnauthenticatedError):
    code = "not_authenticated"

    def __init__(self) -> None:
        super().__init__("Authentication credentials were not provided.")


class InvalidCredentialsError(UnauthenticatedError):
    code = "authentication_failed"

    def __init__(self, detail: str = "Personal API key found in request Authorization header is invalid.") -> None:
        super().__init__(detail)


class MissingScopeError(ForbiddenError):
    def __init__(self, scope: str) -> None:
        super().__init__(f"API key missing required scope '{scope}'")
        self.scope = scope


class SecretKeyNotAllowedError(ForbiddenError):
    def __init__(self) -> None:
        super().__init__("Project secret API keys can only access local evaluation and remote config endpoints.")


class ProjectNotFoundError(NotFoundError):
    def __init__(self) -> None:
        super().__init__("Not found.")
