"""Fakes for tiered snapshot store tests: a source whose content the test changes, and a tier that can fail."""

from __future__ import annotations

import asyncio

from flagcore.domain.snapshots import EncodedSnapshot, SnapshotKind
from flagcore.ports.errors import BackendUnavailableError
from flagcore.ports.snapshot_store import SnapshotSource, SnapshotStore


def snapshot(version: int) -> EncodedSnapshot:
    return EncodedSnapshot(body=f'{{"version":{version}}}'.encode(), etag=f"v{version}")


class FakeSource(SnapshotSource):
    """Builds ``snapshot(version)``; counts builds; ``gate`` holds a build after it has read the content."""

    def __init__(self) -> None:
        self.version = 1
        self.builds = 0
        self.gate: asyncio.Event | None = None
        self.building = asyncio.Event()
        self.down = False

    async def build(self, project_id: int, kind: SnapshotKind) -> EncodedSnapshot:
        if self.down:
            raise BackendUnavailableError
        self.builds += 1
        self.building.set()
        built = snapshot(self.version)
        if self.gate is not None:
            await self.gate.wait()
        return built


class FlakyTier(SnapshotStore):
    """Wraps a tier; while ``down`` every call raises ``BackendUnavailableError``. Counts calls by method."""

    def __init__(self, inner: SnapshotStore) -> None:
        self.inner = inner
        self.down = False
        self.calls: dict[str, int] = {}

    def _enter(self, method: str) -> None:
        self.calls[method] = self.calls.get(method, 0) + 1
        if self.down:
            try:
                raise ConnectionError("tier down")  # noqa: TRY301 (the cause chain the adapters produce)
            except ConnectionError as exc:
                raise BackendUnavailableError from exc

    async def get(
        self, project_id: int, kind: SnapshotKind, *, generation: str | None = None
    ) -> EncodedSnapshot | None:
        self._enter("get")
        return await self.inner.get(project_id, kind, generation=generation)

    async def get_etag(self, project_id: int, kind: SnapshotKind, *, generation: str | None = None) -> str | None:
        self._enter("get_etag")
        return await self.inner.get_etag(project_id, kind, generation=generation)

    async def put(
        self, project_id: int, kind: SnapshotKind, snapshot: EncodedSnapshot, *, generation: str | None = None
    ) -> bool:
        self._enter("put")
        return await self.inner.put(project_id, kind, snapshot, generation=generation)

    async def generation(self, project_id: int) -> str | None:
        self._enter("generation")
        return await self.inner.generation(project_id)

    async def invalidate(self, project_id: int) -> None:
        self._enter("invalidate")
        await self.inner.invalidate(project_id)


class RefusingTier(FlakyTier):
    """A tier that tracks generations and has moved on: every guarded put is refused."""

    async def generation(self, project_id: int) -> str | None:
        return "current"

    async def put(
        self, project_id: int, kind: SnapshotKind, snapshot: EncodedSnapshot, *, generation: str | None = None
    ) -> bool:
        self._enter("put")
        return False
