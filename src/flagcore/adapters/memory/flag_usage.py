"""In-memory flag usage (one process; dev runs, tests and the contract reference)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date, datetime

from flagcore.domain.flags.usage import FlagCallKey, FlagCalls, merge_calls
from flagcore.ports.flag_usage import FlagUsageRepo


class MemoryFlagUsageRepo(FlagUsageRepo):
    def __init__(self) -> None:
        self._calls: dict[FlagCallKey, FlagCalls] = {}

    def fork(self) -> MemoryFlagUsageRepo:
        fork = MemoryFlagUsageRepo()
        fork._calls = dict(self._calls)
        return fork

    def adopt(self, fork: MemoryFlagUsageRepo) -> None:
        self._calls = fork._calls

    async def record(self, calls: Mapping[FlagCallKey, FlagCalls]) -> None:
        for key, counted in calls.items():  # no await inside: atomic within the event loop
            if counted.calls > 0:
                self._calls[key] = merge_calls(self._calls.get(key), counted)

    async def last_called(self, project_id: int, flag_keys: Collection[str]) -> dict[str, datetime]:
        wanted = set(flag_keys)
        latest: dict[str, datetime] = {}
        for key, counted in self._calls.items():
            if key.project_id == project_id and key.flag_key in wanted:
                seen = latest.get(key.flag_key)
                latest[key.flag_key] = counted.last_called_at if seen is None else max(seen, counted.last_called_at)
        return latest

    async def daily(self, project_id: int, flag_key: str, start: date, end: date) -> dict[date, int]:
        return {
            key.day: counted.calls
            for key, counted in self._calls.items()
            if key.project_id == project_id and key.flag_key == flag_key and start <= key.day < end
        }
