"""Wire shapes of the persons and groups API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from flagcore.domain.persons import Group, Person


class PersonOut(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    uuid: str
    name: str
    distinct_ids: list[str]
    properties: dict[str, Any]
    is_identified: bool
    created_at: datetime


class PersonList(msgspec.Struct, frozen=True, kw_only=True):
    next: str | None
    previous: str | None
    results: list[PersonOut]


class GroupOut(msgspec.Struct, frozen=True, kw_only=True):
    group_type_index: int
    group_key: str
    group_properties: dict[str, Any]
    created_at: datetime


class GroupList(msgspec.Struct, frozen=True, kw_only=True):
    next: str | None
    previous: str | None
    results: list[GroupOut]


def person_out(person: Person) -> PersonOut:
    props = person.properties
    name = next((str(props[k]) for k in ("email", "name", "username") if props.get(k)), person.distinct_ids[0])
    return PersonOut(
        id=person.id,
        uuid=person.uuid,
        name=name,
        distinct_ids=list(person.distinct_ids),
        properties=props,
        is_identified=person.is_identified,
        created_at=person.created_at,
    )


def group_out(group: Group) -> GroupOut:
    return GroupOut(
        group_type_index=group.group_type_index,
        group_key=group.group_key,
        group_properties=group.properties,
        created_at=group.created_at,
    )
