"""Errors of scheduled changes (categories from ``domain/errors.py``)."""

from __future__ import annotations

from flagcore.domain.errors import InvalidInputError, NotFoundError


class InvalidScheduledChangeError(InvalidInputError):
    """A field breaks a rule; ``attr`` names it (PostHog returns these as field errors)."""


class ScheduledChangeNotFoundError(NotFoundError):
    def __init__(self) -> None:
        super().__init__("Not found.")
