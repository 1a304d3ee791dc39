"""Where a project's encoded snapshots are kept between builds, and where they are built from.

A snapshot is derived data: it is rebuilt from the source whenever no store holds it, so losing any store costs
builds, never data.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import Protocol

from flagcore.domain.snapshots import EncodedSnapshot, SnapshotKind


class SnapshotStore(Protocol):
    """Encoded snapshots by project and kind, with their ETag stored beside the bytes.

    Generations guard against a slow reader storing a build made before a write committed (the stale-put race):
    ``generation`` is read before building, and a ``put`` carrying it is refused, or never served, once an
    ``invalidate`` has moved the project to a new generation. Stores that cannot reach their backend raise
    ``BackendUnavailableError`` from every method.
    """

    @abstractmethod
    async def get(
        self, project_id: int, kind: SnapshotKind, *, generation: str | None = None
    ) -> EncodedSnapshot | None:
        """The stored snapshot, or None when absent or expired.

        Args:
            project_id: the project.
            kind: which document.
            generation: when given, an entry stamped with another generation is treated as absent (it may predate
                an invalidation); when None, any live entry is returned.
        """
        ...

    @abstractmethod
    async def get_etag(self, project_id: int, kind: SnapshotKind, *, generation: str | None = None) -> str | None:
        """The ETag ``get`` would return, reading only the ETag (not the bytes); None exactly when ``get`` would."""
        ...

    @abstractmethod
    async def put(
        self, project_id: int, kind: SnapshotKind, snapshot: EncodedSnapshot, *, generation: str | None = None
    ) -> bool:
        """Store the snapshot (bytes and ETag together: a reader never sees one without the other).

        Args:
            project_id: the project.
            kind: which document.
            snapshot: the bytes and their ETag.
            generation: the project's generation read before the snapshot was built. The entry is stamped with it;
                a store that tracks generations stores nothing if the project has moved on since.

        Returns:
            False when the put was refused as stale, True otherwise.
        """
        ...

    @abstractmethod
    async def generation(self, project_id: int) -> str | None:
        """The project's current generation, or None if this store does not track generations.

        A store that tracks them starts a fresh, never-before-used generation when it has none for the project
        (after a flush or restart), so entries stamped before the loss are never taken as current.
        """
        ...

    @abstractmethod
    async def invalidate(self, project_id: int) -> None:
        """Drop every kind of the project's snapshot; a store that tracks generations moves to a new one first."""
        ...


class SnapshotSource(Protocol):
    """Builds a project's snapshots from the data they derive from (flags, group types, cohorts, the project)."""

    @abstractmethod
    async def build(self, project_id: int, kind: SnapshotKind) -> EncodedSnapshot | None:
        """The snapshot of the project's current data; None when the project does not exist.

        Raises:
            BackendUnavailableError: the data cannot be read.
        """
        ...
