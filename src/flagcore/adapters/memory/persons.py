"""In-memory ``PersonRepo`` and ``GroupRepo`` (the reference for their contract suites)."""

from __future__ import annotations

import builtins
import itertools
from collections.abc import Sequence
from typing import Any

import msgspec

from flagcore.domain.errors import ConflictError
from flagcore.domain.persons import Group, NewPerson, Person
from flagcore.ports.persons import GroupPage, GroupQuery, GroupRepo, PersonPage, PersonQuery, PersonRepo


class MemoryPersonRepo(PersonRepo):
    def __init__(self) -> None:
        self._persons: dict[int, Person] = {}
        self._ids: dict[tuple[int, str], int] = {}
        self._next = itertools.count(1)

    def fork(self) -> MemoryPersonRepo:
        fork = MemoryPersonRepo()
        fork._persons = dict(self._persons)
        fork._ids = dict(self._ids)
        fork._next = self._next  # shared: ids stay unique even if a fork is dropped
        return fork

    def adopt(self, fork: MemoryPersonRepo) -> None:
        self._persons = fork._persons
        self._ids = fork._ids

    async def by_distinct_id(self, project_id: int, distinct_id: str) -> Person | None:
        person_id = self._ids.get((project_id, distinct_id))
        return self._persons.get(person_id) if person_id is not None else None

    async def by_distinct_ids(self, project_id: int, distinct_ids: Sequence[str]) -> dict[str, Person]:
        found: dict[str, Person] = {}
        for distinct_id in distinct_ids:
            person = await self.by_distinct_id(project_id, distinct_id)
            if person is not None:
                found[distinct_id] = person
        return found

    async def get(self, project_id: int, person_id: int) -> Person | None:
        person = self._persons.get(person_id)
        return person if person is not None and person.project_id == project_id else None

    async def by_uuids(self, project_id: int, uuids: Sequence[str]) -> list[Person]:
        wanted = set(uuids)
        return sorted(
            (p for p in self._persons.values() if p.project_id == project_id and p.uuid in wanted), key=lambda p: p.id
        )

    async def create(self, person: NewPerson) -> Person:
        for distinct_id in person.distinct_ids:
            if (person.project_id, distinct_id) in self._ids:
                raise ConflictError(f"Distinct id {distinct_id!r} already names a person.")
        created = Person(
            id=next(self._next),
            uuid=person.uuid,
            project_id=person.project_id,
            distinct_ids=tuple(dict.fromkeys(person.distinct_ids)),
            properties=dict(person.properties),
            is_identified=person.is_identified,
            created_at=person.created_at,
        )
        self._persons[created.id] = created
        for distinct_id in created.distinct_ids:
            self._ids[person.project_id, distinct_id] = created.id
        return created

    async def update(self, person: Person, *, properties: dict[str, Any], is_identified: bool) -> Person:
        current = self._persons[person.id]
        updated = msgspec.structs.replace(
            current, properties=dict(properties), is_identified=is_identified, version=current.version + 1
        )
        self._persons[person.id] = updated
        return updated

    async def add_distinct_id(self, person: Person, distinct_id: str) -> Person:
        current = self._persons[person.id]
        if (current.project_id, distinct_id) in self._ids:
            raise ConflictError(f"Distinct id {distinct_id!r} already names a person.")
        updated = msgspec.structs.replace(current, distinct_ids=(*current.distinct_ids, distinct_id))
        self._persons[person.id] = updated
        self._ids[current.project_id, distinct_id] = person.id
        return updated

    async def merge(self, other: Person, into: Person, *, properties: dict[str, Any], version: int) -> Person:
        gone = self._persons.pop(other.id)
        current = self._persons[into.id]
        for distinct_id in gone.distinct_ids:
            self._ids[current.project_id, distinct_id] = into.id
        merged = msgspec.structs.replace(
            current,
            distinct_ids=(*current.distinct_ids, *gone.distinct_ids),
            properties=dict(properties),
            is_identified=True,
            created_at=min(current.created_at, gone.created_at),
            version=version,
        )
        self._persons[into.id] = merged
        return merged

    async def delete(self, project_id: int, person_id: int) -> bool:
        person = await self.get(project_id, person_id)
        if person is None:
            return False
        del self._persons[person_id]
        for distinct_id in person.distinct_ids:
            self._ids.pop((project_id, distinct_id), None)
        return True

    async def list(self, project_id: int, query: PersonQuery) -> PersonPage:
        matching = [
            p
            for p in sorted(self._persons.values(), key=lambda p: -p.id)
            if p.project_id == project_id and _person_matches(p, query)
        ]
        page = matching[query.offset : query.offset + query.limit]
        return PersonPage(items=page, has_more=len(matching) > query.offset + query.limit)

    async def count(self, project_id: int) -> int:
        return sum(1 for p in self._persons.values() if p.project_id == project_id)

    async def by_emails(self, project_id: int, emails: Sequence[str]) -> builtins.list[Person]:
        wanted = set(emails)
        return sorted(
            (p for p in self._persons.values() if p.project_id == project_id and p.properties.get("email") in wanted),
            key=lambda p: p.id,
        )

    async def scan(self, project_id: int, *, after_id: int, limit: int) -> builtins.list[Person]:
        found = sorted(
            (p for p in self._persons.values() if p.project_id == project_id and p.id > after_id), key=lambda p: p.id
        )
        return found[:limit]


def _person_matches(person: Person, query: PersonQuery) -> bool:
    if query.distinct_id is not None and query.distinct_id not in person.distinct_ids:
        return False
    if not query.search:
        return True
    if query.search in person.distinct_ids:
        return True
    needle = query.search.lower()
    return any(needle in str(person.properties.get(key, "")).lower() for key in ("email", "name"))


class MemoryGroupRepo(GroupRepo):
    def __init__(self) -> None:
        self._groups: dict[tuple[int, int, str], Group] = {}

    def fork(self) -> MemoryGroupRepo:
        fork = MemoryGroupRepo()
        fork._groups = dict(self._groups)
        return fork

    def adopt(self, fork: MemoryGroupRepo) -> None:
        self._groups = fork._groups

    async def get(self, project_id: int, group_type_index: int, group_key: str) -> Group | None:
        return self._groups.get((project_id, group_type_index, group_key))

    async def upsert(self, group: Group) -> Group:
        key = (group.project_id, group.group_type_index, group.group_key)
        current = self._groups.get(key)
        stored = (
            msgspec.structs.replace(group, properties=dict(group.properties), version=0)
            if current is None
            else msgspec.structs.replace(current, properties=dict(group.properties), version=current.version + 1)
        )
        self._groups[key] = stored
        return stored

    async def count(self, project_id: int, group_type_index: int) -> int:
        return sum(1 for (p, index, _) in self._groups if p == project_id and index == group_type_index)

    async def list(self, project_id: int, query: GroupQuery) -> GroupPage:
        needle = (query.search or "").lower()
        matching = sorted(
            (
                g
                for (p, index, _), g in self._groups.items()
                if p == project_id
                and index == query.group_type_index
                and (not needle or needle in g.group_key.lower() or needle in str(g.properties.get("name", "")).lower())
            ),
            key=lambda g: g.group_key,
        )
        page = matching[query.offset : query.offset + query.limit]
        return GroupPage(items=page, has_more=len(matching) > query.offset + query.limit)
