"""Storage of persons (with their distinct ids) and of groups (with their properties).

Built for millions of persons per project: every read is by key (project and distinct id, project and person id,
project, group type index and group key); listings are paginated.
"""

from __future__ import annotations

import builtins
from abc import abstractmethod
from collections.abc import Sequence
from typing import Any, Protocol

import msgspec

from flagcore.domain.persons import Group, NewPerson, Person


class PersonQuery(msgspec.Struct, frozen=True, kw_only=True):
    """A page of a project's persons, newest first.

    Attributes:
        search: a distinct id (exact), or text found in the ``email`` or ``name`` property (case-insensitive).
        distinct_id: only the person with this distinct id.
        limit: at most this many persons.
        offset: skip this many.
    """

    search: str | None = None
    distinct_id: str | None = None
    limit: int = 100
    offset: int = 0


class PersonPage(msgspec.Struct, frozen=True, kw_only=True):
    items: list[Person]
    #: Whether more persons follow the page.
    has_more: bool


class GroupPage(msgspec.Struct, frozen=True, kw_only=True):
    items: list[Group]
    has_more: bool


class PersonRepo(Protocol):
    @abstractmethod
    async def by_distinct_id(self, project_id: int, distinct_id: str) -> Person | None:
        """The person this distinct id names in the project, or None."""
        ...

    @abstractmethod
    async def by_distinct_ids(self, project_id: int, distinct_ids: Sequence[str]) -> dict[str, Person]:
        """The persons these distinct ids name, by distinct id (ids without a person are absent)."""
        ...

    @abstractmethod
    async def get(self, project_id: int, person_id: int) -> Person | None:
        """The project's person with this id, or None (another project's person is None too)."""
        ...

    @abstractmethod
    async def by_uuids(self, project_id: int, uuids: Sequence[str]) -> list[Person]:
        """The project's persons with these UUIDs (unknown UUIDs are skipped)."""
        ...

    @abstractmethod
    async def by_emails(self, project_id: int, emails: Sequence[str]) -> builtins.list[Person]:
        """The project's persons whose ``email`` property is one of ``emails`` (exactly), by id.

        For CSV uploads, in batches: the property is not indexed, so each call may read the project's persons once.
        """
        ...

    @abstractmethod
    async def create(self, person: NewPerson) -> Person:
        """Store a new person with its distinct ids (version 0).

        Raises:
            ConflictError: one of the distinct ids already names a person of the project.
        """
        ...

    @abstractmethod
    async def update(self, person: Person, *, properties: dict[str, Any], is_identified: bool) -> Person:
        """Replace the person's properties and identified state; the version goes up by one."""
        ...

    @abstractmethod
    async def add_distinct_id(self, person: Person, distinct_id: str) -> Person:
        """Let ``distinct_id`` name ``person`` too (it must name nobody yet)."""
        ...

    @abstractmethod
    async def merge(self, other: Person, into: Person, *, properties: dict[str, Any], version: int) -> Person:
        """Move ``other``'s distinct ids to ``into``, delete ``other``, and set ``into``'s merged state.

        ``into`` becomes identified, keeps the older ``created_at`` of the two and gets ``properties`` and
        ``version``.
        """
        ...

    @abstractmethod
    async def delete(self, project_id: int, person_id: int) -> bool:
        """Delete a person and its distinct ids; False if the project has no such person."""
        ...

    @abstractmethod
    async def list(self, project_id: int, query: PersonQuery) -> PersonPage:
        """A page of the project's persons, newest (highest id) first."""
        ...

    @abstractmethod
    async def count(self, project_id: int) -> int:
        """How many persons the project has."""
        ...

    @abstractmethod
    async def scan(self, project_id: int, *, after_id: int, limit: int) -> builtins.list[Person]:
        """Up to ``limit`` of the project's persons with an id above ``after_id``, lowest id first.

        For work over every person (blast radius, a flag's static cohort): a keyset page, as cheap deep in the
        table as at its start; pass the last id of a page to get the next one.
        """
        ...


class GroupQuery(msgspec.Struct, frozen=True, kw_only=True):
    group_type_index: int
    #: Text found in the group key or the ``name`` property (case-insensitive).
    search: str | None = None
    limit: int = 100
    offset: int = 0


class GroupRepo(Protocol):
    @abstractmethod
    async def get(self, project_id: int, group_type_index: int, group_key: str) -> Group | None:
        """One group, or None."""
        ...

    @abstractmethod
    async def upsert(self, group: Group) -> Group:
        """Create the group, or replace the stored one's properties (its ``created_at`` is kept; version + 1)."""
        ...

    @abstractmethod
    async def list(self, project_id: int, query: GroupQuery) -> GroupPage:
        """A page of the project's groups of one type, ordered by key."""
        ...

    @abstractmethod
    async def count(self, project_id: int, group_type_index: int) -> int:
        """How many groups of one type the project has."""
        ...
