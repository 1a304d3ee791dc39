"""Persons: who the events and the flag requests are about, with their distinct ids and stored properties."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Final

import msgspec

from flagcore.domain.errors import NotFoundError

#: The namespace of PostHog's person UUIDs (UUIDv5 of ``"{team_id}:{first distinct id}"``).
PERSON_UUID_NAMESPACE: Final = uuid.UUID("932979b4-65c3-4424-8467-0b66ec27bc22")
#: PostHog's column size for a distinct id; capture truncates ids to 200 characters before they get here.
MAX_DISTINCT_ID_LENGTH: Final = 400


class Person(msgspec.Struct, frozen=True, kw_only=True):
    """A person of a project.

    Attributes:
        id: the store's id (positive, unique across projects).
        uuid: UUIDv5 of ``"{project_id}:{first distinct id}"``, as PostHog derives it.
        project_id: the project.
        distinct_ids: every distinct id that names this person, oldest first.
        properties: the stored person properties.
        is_identified: the person went through an identify or a merge.
        created_at: when the person was first seen.
        version: bumped by every write (PostHog's collapsing version).
    """

    id: int
    uuid: str
    project_id: int
    distinct_ids: tuple[str, ...]
    properties: dict[str, Any]
    is_identified: bool = False
    created_at: datetime
    version: int = 0


class NewPerson(msgspec.Struct, frozen=True, kw_only=True):
    """A person to create (the store assigns the id)."""

    project_id: int
    distinct_ids: tuple[str, ...]
    properties: dict[str, Any]
    is_identified: bool = False
    created_at: datetime

    @property
    def uuid(self) -> str:
        """The UUID PostHog derives from the project and the first distinct id."""
        return person_uuid(self.project_id, self.distinct_ids[0])


class Group(msgspec.Struct, frozen=True, kw_only=True):
    """A group (a company, a team, ...) of one of the project's group types, with its stored properties."""

    project_id: int
    group_type_index: int
    group_key: str
    properties: dict[str, Any]
    created_at: datetime
    version: int = 0


class PersonNotFoundError(NotFoundError):
    def __init__(self) -> None:
        super().__init__("Not found.")


def person_uuid(project_id: int, distinct_id: str) -> str:
    """PostHog's person UUID: UUIDv5 under its namespace of ``"{project_id}:{distinct_id}"``."""
    return str(uuid.uuid5(PERSON_UUID_NAMESPACE, f"{project_id}:{distinct_id}"))
