"""In-memory ``HashKeyOverrideRepo``: the reference implementation of the contract."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from flagcore.ports.hash_key_overrides import HashKeyOverrideRepo


class MemoryHashKeyOverrideRepo(HashKeyOverrideRepo):
    def __init__(self) -> None:
        # Methods never await while touching the dict, so each call is atomic under asyncio without a lock.
        self._overrides: dict[tuple[int, str], dict[str, str]] = {}

    async def get(self, project_id: int, distinct_ids: Sequence[str]) -> dict[str, str]:
        merged: dict[str, str] = {}
        # Later ids first, so that earlier ids overwrite them: the earliest id wins.
        for distinct_id in reversed(distinct_ids):
            merged.update(self._overrides.get((project_id, distinct_id), {}))
        return merged

    async def set_missing(self, project_id: int, distinct_ids: Sequence[str], overrides: Mapping[str, str]) -> None:
        if not overrides:
            return
        for distinct_id in dict.fromkeys(distinct_ids):
            stored = self._overrides.setdefault((project_id, distinct_id), {})
            for flag_key, hash_key in overrides.items():
                stored.setdefault(flag_key, hash_key)
