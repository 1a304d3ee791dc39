"""SQL ``PersonRepo`` and ``GroupRepo``.

A person is one ``persons`` row plus its ``person_distinct_ids`` rows; reading by distinct id is one join on the
``(project_id, distinct_id)`` unique index. Distinct ids are escaped like hash-key ids (PostgreSQL text cannot
hold NUL) so that any id round-trips.
"""

from __future__ import annotations

import builtins
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any, Final

import sqlalchemy as sa
import sqlalchemy.orm
from sqlalchemy import exc as sa_exc
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from flagcore.adapters.sqlalchemy._dialect import update_returning, upsert, upsert_returning
from flagcore.adapters.sqlalchemy._errors import backend_errors
from flagcore.adapters.sqlalchemy._session import SessionScope, session_scope
from flagcore.adapters.sqlalchemy.orm_persons import CohortPersonRow, GroupRow, PersonDistinctIdRow, PersonRow
from flagcore.domain.errors import ConflictError
from flagcore.domain.persons import Group, NewPerson, Person
from flagcore.ports.persons import GroupPage, GroupQuery, GroupRepo, PersonPage, PersonQuery, PersonRepo

_ESCAPED: Final = re.compile(r"\\(.)", re.DOTALL)
#: Ids per IN list, well under SQLite's bound-parameter limit.
_BATCH: Final = 500


def _encode(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\x00", "\\0")


def _decode(text: str) -> str:
    return _ESCAPED.sub(lambda match: "\x00" if match.group(1) == "0" else match.group(1), text)


def _person(row: PersonRow, distinct_ids: Iterable[str]) -> Person:
    return Person(
        id=row.id,
        uuid=row.uuid,
        project_id=row.project_id,
        distinct_ids=tuple(distinct_ids),
        properties=dict(row.properties),
        is_identified=row.is_identified,
        created_at=row.created_at,
        version=row.version,
    )


class SqlPersonRepo(PersonRepo):
    def __init__(self, sessions: async_sessionmaker[AsyncSession] | SessionScope) -> None:
        self._session = session_scope(sessions)

    async def by_distinct_id(self, project_id: int, distinct_id: str) -> Person | None:
        return (await self.by_distinct_ids(project_id, [distinct_id])).get(distinct_id)

    async def by_distinct_ids(self, project_id: int, distinct_ids: Sequence[str]) -> dict[str, Person]:
        wanted = list(dict.fromkeys(distinct_ids))
        found: dict[str, Person] = {}
        for start in range(0, len(wanted), _BATCH):
            chunk = wanted[start : start + _BATCH]
            # One statement: the persons these ids name, each with all of its distinct ids (the hot /flags read).
            named = sa.select(PersonDistinctIdRow.person_id).where(
                PersonDistinctIdRow.project_id == project_id,
                PersonDistinctIdRow.distinct_id.in_([_encode(d) for d in chunk]),
            )
            every = sa.orm.aliased(PersonDistinctIdRow)
            stmt = (
                sa.select(PersonRow, every.distinct_id)
                .join(every, every.person_id == PersonRow.id)
                .where(PersonRow.id.in_(named))
                .order_by(PersonRow.id, every.id)
            )
            with backend_errors():
                async with self._session() as session:
                    rows = (await session.execute(stmt)).all()
            persons = _group_rows(rows)
            for person in persons:
                for distinct_id in person.distinct_ids:
                    if distinct_id in chunk:
                        found[distinct_id] = person
        return found

    async def _load(self, session: AsyncSession, person_ids: set[int]) -> dict[int, Person]:
        if not person_ids:
            return {}
        rows = (await session.scalars(sa.select(PersonRow).where(PersonRow.id.in_(person_ids)))).all()
        ids: dict[int, list[str]] = defaultdict(list)
        stmt = (
            sa.select(PersonDistinctIdRow.person_id, PersonDistinctIdRow.distinct_id)
            .where(PersonDistinctIdRow.person_id.in_(person_ids))
            .order_by(PersonDistinctIdRow.id)
        )
        for person_id, distinct_id in (await session.execute(stmt)).all():
            ids[person_id].append(_decode(distinct_id))
        return {row.id: _person(row, ids[row.id]) for row in rows}

    async def get(self, project_id: int, person_id: int) -> Person | None:
        with backend_errors():
            async with self._session() as session:
                person = (await self._load(session, {person_id})).get(person_id)
        return person if person is not None and person.project_id == project_id else None

    async def by_uuids(self, project_id: int, uuids: Sequence[str]) -> list[Person]:
        stmt = sa.select(PersonRow.id).where(PersonRow.project_id == project_id, PersonRow.uuid.in_(list(uuids)))
        with backend_errors():
            async with self._session() as session:
                ids = set((await session.scalars(stmt)).all())
                persons = await self._load(session, ids)
        return sorted(persons.values(), key=lambda p: p.id)

    async def create(self, person: NewPerson) -> Person:
        distinct_ids = tuple(dict.fromkeys(person.distinct_ids))
        row = PersonRow(
            uuid=person.uuid,
            project_id=person.project_id,
            properties=dict(person.properties),
            is_identified=person.is_identified,
            created_at=person.created_at,
            version=0,
        )
        try:
            with backend_errors():
                async with self._session() as session, session.begin_nested():
                    session.add(row)
                    await session.flush()
                    session.add_all(
                        PersonDistinctIdRow(project_id=person.project_id, person_id=row.id, distinct_id=_encode(d))
                        for d in distinct_ids
                    )
                    await session.flush()
                    return _person(row, distinct_ids)
        except sa_exc.IntegrityError as exc:
            raise ConflictError("A distinct id already names a person.") from exc

    async def update(self, person: Person, *, properties: dict[str, Any], is_identified: bool) -> Person:
        stmt = (
            sa.update(PersonRow)
            .where(PersonRow.id == person.id)
            .values(properties=dict(properties), is_identified=is_identified, version=PersonRow.version + 1)
        )
        read_back = sa.select(PersonRow.version).where(PersonRow.id == person.id)
        with backend_errors():
            async with self._session() as session:
                version = await update_returning(session, stmt, PersonRow.version, read_back)
                if version is None:
                    raise sa_exc.NoResultFound("No row was found when one was required")
        return Person(
            id=person.id,
            uuid=person.uuid,
            project_id=person.project_id,
            distinct_ids=person.distinct_ids,
            properties=dict(properties),
            is_identified=is_identified,
            created_at=person.created_at,
            version=version,
        )

    async def add_distinct_id(self, person: Person, distinct_id: str) -> Person:
        try:
            with backend_errors():
                async with self._session() as session, session.begin_nested():
                    session.add(
                        PersonDistinctIdRow(
                            project_id=person.project_id, person_id=person.id, distinct_id=_encode(distinct_id)
                        )
                    )
                    await session.flush()
        except sa_exc.IntegrityError as exc:
            raise ConflictError("The distinct id already names a person.") from exc
        return Person(
            id=person.id,
            uuid=person.uuid,
            project_id=person.project_id,
            distinct_ids=(*person.distinct_ids, distinct_id),
            properties=person.properties,
            is_identified=person.is_identified,
            created_at=person.created_at,
            version=person.version,
        )

    async def merge(self, other: Person, into: Person, *, properties: dict[str, Any], version: int) -> Person:
        created_at = min(other.created_at, into.created_at)
        with backend_errors():
            async with self._session() as session:
                await session.execute(
                    sa.update(PersonDistinctIdRow)
                    .where(PersonDistinctIdRow.person_id == other.id)
                    .values(person_id=into.id)
                )
                # Memberships were moved by the unit of work's cohort repository; none may point at a gone person.
                await _delete_memberships(session, other.id)
                await session.execute(sa.delete(PersonRow).where(PersonRow.id == other.id))
                await session.execute(
                    sa.update(PersonRow)
                    .where(PersonRow.id == into.id)
                    .values(properties=dict(properties), is_identified=True, created_at=created_at, version=version)
                )
                merged = (await self._load(session, {into.id}))[into.id]
        return merged

    async def delete(self, project_id: int, person_id: int) -> bool:
        with backend_errors():
            async with self._session() as session:
                # Explicit: SQLite enforces ON DELETE CASCADE only with its foreign-key pragma on.
                await session.execute(sa.delete(PersonDistinctIdRow).where(PersonDistinctIdRow.person_id == person_id))
                await _delete_memberships(session, person_id)
                result = await session.execute(
                    sa.delete(PersonRow).where(PersonRow.id == person_id, PersonRow.project_id == project_id)
                )
        return bool(result.rowcount)  # type: ignore[attr-defined]  # a DML result has a row count

    async def list(self, project_id: int, query: PersonQuery) -> PersonPage:
        stmt = sa.select(PersonRow.id).where(PersonRow.project_id == project_id)
        if query.distinct_id is not None:
            stmt = stmt.where(PersonRow.id.in_(_ids_with(project_id, query.distinct_id)))
        if query.search:
            needle = f"%{_like_escape(query.search.lower())}%"
            stmt = stmt.where(
                sa.or_(
                    PersonRow.id.in_(_ids_with(project_id, query.search)),
                    sa.func.lower(_text_property("email")).like(needle, escape="\\"),
                    sa.func.lower(_text_property("name")).like(needle, escape="\\"),
                )
            )
        stmt = stmt.order_by(PersonRow.id.desc()).offset(query.offset).limit(query.limit + 1)
        with backend_errors():
            async with self._session() as session:
                ids = list((await session.scalars(stmt)).all())
                persons = await self._load(session, set(ids[: query.limit]))
        return PersonPage(items=[persons[i] for i in ids[: query.limit]], has_more=len(ids) > query.limit)

    async def count(self, project_id: int) -> int:
        stmt = sa.select(sa.func.count()).select_from(PersonRow).where(PersonRow.project_id == project_id)
        with backend_errors():
            async with self._session() as session:
                return int((await session.execute(stmt)).scalar_one())

    async def by_emails(self, project_id: int, emails: Sequence[str]) -> builtins.list[Person]:
        if not emails:
            return []
        stmt = sa.select(PersonRow.id).where(
            PersonRow.project_id == project_id, _text_property("email").in_(list(emails))
        )
        with backend_errors():
            async with self._session() as session:
                ids = set((await session.scalars(stmt)).all())
                persons = await self._load(session, ids)
        return sorted(persons.values(), key=lambda p: p.id)

    async def scan(self, project_id: int, *, after_id: int, limit: int) -> builtins.list[Person]:
        # Served by the (project_id, id) index: a range read, whatever the depth.
        stmt = (
            sa.select(PersonRow.id)
            .where(PersonRow.project_id == project_id, PersonRow.id > after_id)
            .order_by(PersonRow.id)
            .limit(limit)
        )
        with backend_errors():
            async with self._session() as session:
                ids = list((await session.scalars(stmt)).all())
                persons = await self._load(session, set(ids))
        return [persons[i] for i in ids]


def _group_rows(rows: Sequence[sa.Row[tuple[PersonRow, str]]]) -> list[Person]:
    ids: dict[int, list[str]] = defaultdict(list)
    by_id: dict[int, PersonRow] = {}
    for row, distinct_id in rows:
        by_id[row.id] = row
        ids[row.id].append(_decode(distinct_id))
    return [_person(row, ids[person_id]) for person_id, row in by_id.items()]


def _ids_with(project_id: int, distinct_id: str) -> sa.Select[tuple[int]]:
    return sa.select(PersonDistinctIdRow.person_id).where(
        PersonDistinctIdRow.project_id == project_id, PersonDistinctIdRow.distinct_id == _encode(distinct_id)
    )


def _text_property(key: str) -> sa.ColumnElement[str]:
    return sa.cast(PersonRow.properties[key].as_string(), sa.String)


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def _delete_memberships(session: AsyncSession, person_id: int) -> None:
    await session.execute(sa.delete(CohortPersonRow).where(CohortPersonRow.person_id == person_id))


class SqlGroupRepo(GroupRepo):
    def __init__(self, sessions: async_sessionmaker[AsyncSession] | SessionScope) -> None:
        self._session = session_scope(sessions)

    async def get(self, project_id: int, group_type_index: int, group_key: str) -> Group | None:
        with backend_errors():
            async with self._session() as session:
                row = await session.get(GroupRow, (project_id, group_type_index, group_key))
                return _group(row) if row is not None else None

    async def upsert(self, group: Group) -> Group:
        values = {
            "project_id": group.project_id,
            "group_type_index": group.group_type_index,
            "group_key": group.group_key,
            "properties": dict(group.properties),
            "created_at": group.created_at,
            "version": 0,
        }
        with backend_errors():
            async with self._session() as session:
                stmt = upsert(
                    session,
                    GroupRow,
                    values,
                    index_elements=["project_id", "group_type_index", "group_key"],
                    set_=lambda proposed: {"properties": proposed.properties, "version": GroupRow.version + 1},
                )
                read_back = sa.select(GroupRow).where(
                    GroupRow.project_id == group.project_id,
                    GroupRow.group_type_index == group.group_type_index,
                    GroupRow.group_key == group.group_key,
                )
                row = await upsert_returning(session, stmt, GroupRow, read_back)
                return _group(row)

    async def count(self, project_id: int, group_type_index: int) -> int:
        stmt = (
            sa.select(sa.func.count())
            .select_from(GroupRow)
            .where(GroupRow.project_id == project_id, GroupRow.group_type_index == group_type_index)
        )
        with backend_errors():
            async with self._session() as session:
                return int((await session.execute(stmt)).scalar_one())

    async def list(self, project_id: int, query: GroupQuery) -> GroupPage:
        stmt = sa.select(GroupRow).where(
            GroupRow.project_id == project_id, GroupRow.group_type_index == query.group_type_index
        )
        if query.search:
            needle = f"%{_like_escape(query.search.lower())}%"
            name = sa.cast(GroupRow.properties["name"].as_string(), sa.String)
            stmt = stmt.where(
                sa.or_(
                    sa.func.lower(GroupRow.group_key).like(needle, escape="\\"),
                    sa.func.lower(name).like(needle, escape="\\"),
                )
            )
        stmt = stmt.order_by(GroupRow.group_key).offset(query.offset).limit(query.limit + 1)
        with backend_errors():
            async with self._session() as session:
                rows = list((await session.scalars(stmt)).all())
        return GroupPage(items=[_group(r) for r in rows[: query.limit]], has_more=len(rows) > query.limit)


def _group(row: GroupRow) -> Group:
    return Group(
        project_id=row.project_id,
        group_type_index=row.group_type_index,
        group_key=row.group_key,
        properties=dict(row.properties),
        created_at=row.created_at,
        version=row.version,
    )
