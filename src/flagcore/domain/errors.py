"""Root of flagcore's domain errors.

Every error the domain raises belongs to one category below. The HTTP edge maps categories (not individual
errors) to status codes in one table, so adding an error never needs a new handler.
"""

from __future__ import annotations


class FlagcoreError(Exception):
    """Base of every domain error.

    Attributes:
        code: machine-readable code, rendered as the ``code`` of PostHog's error body.
        detail: human-readable message, rendered as ``detail``.
        attr: the input field at fault, if any, rendered as ``attr``.
    """

    code: str = "error"

    def __init__(self, detail: str, *, code: str | None = None, attr: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.attr = attr
        if code is not None:
            self.code = code


class InvalidInputError(FlagcoreError, ValueError):
    """The input breaks a rule of the domain (rendered as a 400 validation error).

    It is also a ``ValueError`` so that msgspec turns it into a ``ValidationError`` when raised in ``__post_init__``.
    """

    code = "invalid_input"


class NotFoundError(FlagcoreError):
    """The addressed object does not exist (or is not visible to the caller)."""

    code = "not_found"


class ConflictError(FlagcoreError):
    """The write lost a race or collides with stored state."""

    code = "conflict"


class ForbiddenError(FlagcoreError):
    """The caller is known but may not do this."""

    code = "permission_denied"


class UnauthenticatedError(FlagcoreError):
    """The caller could not be identified (missing or invalid credentials)."""

    code = "not_authenticated"
