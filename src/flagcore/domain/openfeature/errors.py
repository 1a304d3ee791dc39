"""Errors of the manifest API (each in a domain category, so the HTTP edge maps it like any other)."""

from __future__ import annotations

from flagcore.domain.errors import ConflictError, InvalidInputError, NotFoundError


class InvalidManifestError(InvalidInputError):
    """A manifest flag breaks a rule of the mapping (wrong default type, value not usable as a variant key...)."""

    code = "invalid_manifest"


class ManifestFlagExistsError(ConflictError):
    code = "flag_exists"

    def __init__(self, key: str) -> None:
        super().__init__(f"Key {key!r} is already used by a flag of this project.", attr="key")


class ManifestFlagNotFoundError(NotFoundError):
    code = "flag_not_found"

    def __init__(self, key: str) -> None:
        super().__init__(f"No flag with key {key!r} in this project.", attr="key")


class FlagTypeChangeError(ConflictError):
    code = "type_change"

    def __init__(self, key: str, stored: str, requested: str) -> None:
        super().__init__(
            f"Flag {key!r} is declared {stored}; changing it to {requested} is not allowed (archive it and create a "
            "new flag instead).",
            attr="type",
        )
