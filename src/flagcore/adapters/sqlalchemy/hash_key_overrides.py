"""SQL ``HashKeyOverrideRepo``: insert-if-absent with ``ON CONFLICT DO NOTHING`` (SQLite and PostgreSQL alike)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from flagcore.adapters.sqlalchemy._dialect import insert_if_absent
from flagcore.adapters.sqlalchemy._errors import backend_errors
from flagcore.adapters.sqlalchemy._session import SessionScope, session_scope
from flagcore.adapters.sqlalchemy.orm import HashKeyOverrideRow
from flagcore.ports.hash_key_overrides import HashKeyOverrideRepo

_ESCAPED: Final = re.compile(r"\\(.)", re.DOTALL)
#: Rows per INSERT, well under SQLite's limit on bound parameters (4 per row).
_BATCH: Final = 200


def _encode(text: str) -> str:
    # PostgreSQL text cannot hold NUL, yet ids come straight from SDK requests: escape it (and the escape
    # character) the same way on every backend, so that every string round-trips.
    return text.replace("\\", "\\\\").replace("\x00", "\\0")


def _decode(text: str) -> str:
    return _ESCAPED.sub(lambda match: "\x00" if match.group(1) == "0" else match.group(1), text)


class SqlHashKeyOverrideRepo(HashKeyOverrideRepo):
    def __init__(self, sessions: async_sessionmaker[AsyncSession] | SessionScope) -> None:
        self._session = session_scope(sessions)

    async def get(self, project_id: int, distinct_ids: Sequence[str]) -> dict[str, str]:
        ids = list(dict.fromkeys(distinct_ids))
        if not ids:
            return {}
        encoded = [_encode(distinct_id) for distinct_id in ids]
        row = HashKeyOverrideRow
        stmt = sa.select(row.distinct_id, row.flag_key, row.hash_key).where(
            row.project_id == project_id, row.distinct_id.in_(encoded)
        )
        with backend_errors():
            async with self._session() as session:
                rows = (await session.execute(stmt)).all()
        priority = {distinct_id: rank for rank, distinct_id in enumerate(encoded)}
        merged: dict[str, str] = {}
        # Lowest priority first, so that the earliest id's hash key is the one left standing.
        for _distinct_id, flag_key, hash_key in sorted(rows, key=lambda row: -priority[row[0]]):
            merged[_decode(flag_key)] = _decode(hash_key)
        return merged

    async def set_missing(self, project_id: int, distinct_ids: Sequence[str], overrides: Mapping[str, str]) -> None:
        values: list[dict[str, Any]] = [
            {
                "project_id": project_id,
                "distinct_id": _encode(distinct_id),
                "flag_key": _encode(flag_key),
                "hash_key": _encode(hash_key),
            }
            for distinct_id in dict.fromkeys(distinct_ids)
            for flag_key, hash_key in overrides.items()
        ]
        if not values:
            return
        with backend_errors():
            async with self._session() as session:
                # The conflict target is the primary key: an existing hash key is kept, a racing writer loses quietly.
                for start in range(0, len(values), _BATCH):
                    batch = values[start : start + _BATCH]
                    await session.execute(insert_if_absent(session, HashKeyOverrideRow, batch))
