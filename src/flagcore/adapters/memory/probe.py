"""Memory storage is always there and needs no migrations."""

from __future__ import annotations

from flagcore.ports.readiness import DatabaseProbe, DatabaseState


class MemoryDatabaseProbe(DatabaseProbe):
    async def check(self) -> DatabaseState:
        return DatabaseState(ready=True, detail="memory storage (no migrations)")
