"""In-memory ``ActivityLog``: the reference implementation of the contract."""

from __future__ import annotations

from flagcore.domain.activity import ActivityEntry
from flagcore.domain.errors import InvalidInputError
from flagcore.ports.activity import ActivityLog, ActivityPage, ActivityQuery


class MemoryActivityLog(ActivityLog):
    def __init__(self) -> None:
        self._entries: list[ActivityEntry] = []
        self._ids: set[str] = set()  # the entries' ids: a scan per add was quadratic (a seed adds one per flag)

    def fork(self) -> MemoryActivityLog:
        fork = MemoryActivityLog()
        fork._entries = list(self._entries)
        fork._ids = set(self._ids)
        return fork

    def adopt(self, fork: MemoryActivityLog) -> None:
        self._entries = fork._entries
        self._ids = fork._ids

    async def add(self, entry: ActivityEntry) -> None:
        if entry.id in self._ids:
            raise InvalidInputError("This activity entry already exists.", attr="id")
        self._entries.append(entry)
        self._ids.add(entry.id)

    async def list(self, query: ActivityQuery) -> ActivityPage:
        matches = [
            entry
            for entry in reversed(self._entries)  # later-added first among equal instants (the sort is stable)
            if entry.project_id == query.project_id
            and (query.scope is None or entry.scope == query.scope)
            and (query.item_id is None or entry.item_id == query.item_id)
        ]
        matches.sort(key=lambda entry: entry.created_at, reverse=True)
        return ActivityPage(total_count=len(matches), items=matches[query.offset : query.offset + query.limit])
