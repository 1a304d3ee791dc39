"""Errors of flag management, with PostHog's codes and messages."""

from __future__ import annotations

from flagcore.domain.errors import ConflictError, InvalidInputError, NotFoundError


class FlagNotFoundError(NotFoundError):
    def __init__(self, flag_id: int | str) -> None:
        super().__init__("Not found.")
        self.flag_id = flag_id


class DuplicateFlagKeyError(InvalidInputError):
    code = "unique"

    def __init__(self, key: str) -> None:
        super().__init__("There is already a feature flag with this key.", attr="key")
        self.key = key


class VersionConflictError(ConflictError):
    """The write carried a version that is no longer the stored one (or lost a concurrent race)."""

    def __init__(self, *, stored_version: int, modified_by: str | None = None) -> None:
        who = modified_by or "another user"
        super().__init__(
            f"The feature flag was updated by {who} since you started editing it. Please refresh and try again."
        )
        self.stored_version = stored_version


class InvalidFiltersError(InvalidInputError):
    """A rule on ``filters`` failed; PostHog reports these on the ``filters`` attribute."""

    def __init__(self, detail: str, *, code: str = "invalid_input") -> None:
        super().__init__(detail, code=code, attr="filters")
