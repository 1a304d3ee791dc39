"""A project's group types. PostHog creates them on ingestion, numbering them 0-4 in order of first use."""

from __future__ import annotations

from datetime import datetime
from typing import Final

import msgspec

from flagcore.domain.errors import InvalidInputError

#: PostHog caps a project at five group types (indexes 0-4).
MAX_GROUP_TYPES: Final = 5
_MAX_NAME_LENGTH: Final = 400


class GroupType(msgspec.Struct, frozen=True, kw_only=True):
    project_id: int
    group_type: str
    group_type_index: int
    name_singular: str | None = None
    name_plural: str | None = None
    created_at: datetime


class GroupTypeLimitError(InvalidInputError):
    def __init__(self) -> None:
        super().__init__(
            f"A project can have at most {MAX_GROUP_TYPES} group types.", code="max_group_types", attr="group_type"
        )


def next_group_type_index(used: set[int]) -> int:
    """The lowest index not in ``used``: PostHog numbers group types in order of first use.

    Raises:
        GroupTypeLimitError: all ``MAX_GROUP_TYPES`` indexes are taken.
    """
    free = next((index for index in range(MAX_GROUP_TYPES) if index not in used), None)
    if free is None:
        raise GroupTypeLimitError
    return free


def validate_group_type_name(name: str) -> str:
    """A group type name as PostHog accepts it: non-empty after stripping, at most 400 characters.

    Raises:
        InvalidInputError: empty or too long (attr ``group_type``).
    """
    stripped = name.strip()
    if not stripped:
        raise InvalidInputError("This field may not be blank.", code="blank", attr="group_type")
    if "\x00" in stripped:
        raise InvalidInputError(
            "Null characters are not allowed.", code="null_characters_not_allowed", attr="group_type"
        )
    if len(stripped) > _MAX_NAME_LENGTH:
        raise InvalidInputError(
            f"Ensure this field has no more than {_MAX_NAME_LENGTH} characters.", code="max_length", attr="group_type"
        )
    return stripped
