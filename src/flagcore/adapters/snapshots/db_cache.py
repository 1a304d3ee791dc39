"""``SnapshotCache`` that builds every snapshot from the repositories: the tier of last resort.

It never misses for an existing project and stores nothing (``put`` and ``invalidate`` do nothing), so it is
always current. Building reads every live flag of the project; the tiers above it exist so that this is rare.
"""

from __future__ import annotations

import hashlib
from typing import Any, Final

import msgspec

from flagcore.domain.flags.feed import Definitions, FeedFlag, build_definitions
from flagcore.ports.flags import FlagQuery, FlagRepo
from flagcore.ports.groups import GroupTypeRepo
from flagcore.ports.identity import ProjectRepo
from flagcore.ports.snapshot_cache import SnapshotCache, SnapshotKind
from flagcore.ports.snapshots import EncodedSnapshot

# Every live flag of the project in one read; a snapshot is the whole project by definition.
_ALL: Final = FlagQuery(order="key", limit=2**31 - 1)
_ENCODER: Final = msgspec.json.Encoder()
# Distinct per kind, so that two kinds never share an ETag even when their bytes are equal.
_PERSONS: Final = {
    SnapshotKind.DEFINITIONS_WITH_COHORTS: b"cohorts",
    SnapshotKind.DEFINITIONS: b"plain",
    SnapshotKind.EVALUATION: b"evaluation",
}


class EvaluationDocument(msgspec.Struct, frozen=True, kw_only=True):
    """The ``evaluation`` kind: the feed with cohorts plus the timezone the engine compiles it in.

    Carrying the timezone makes the snapshot self-contained (an instance compiles it from the cache alone) and makes
    a timezone change change the ETag, hence trigger a recompile.
    """

    flags: list[FeedFlag]
    group_type_mapping: dict[str, str]
    cohorts: dict[str, Any]
    timezone: str


def snapshot_etag(body: bytes, kind: SnapshotKind) -> str:
    """The ETag of a snapshot: a digest of its bytes, so it changes exactly when the bytes do."""
    return hashlib.blake2b(body, digest_size=16, person=_PERSONS[kind]).hexdigest()


def encode_snapshot(definitions: Definitions, kind: SnapshotKind, *, timezone: str) -> EncodedSnapshot:
    """The stored form of one kind of a project's snapshot."""
    if kind is SnapshotKind.EVALUATION:
        document: msgspec.Struct = EvaluationDocument(
            flags=definitions.flags,
            group_type_mapping=definitions.group_type_mapping,
            cohorts=definitions.cohorts,
            timezone=timezone,
        )
    else:
        document = definitions
    body = _ENCODER.encode(document)
    return EncodedSnapshot(body=body, etag=snapshot_etag(body, kind))


class DatabaseSnapshotCache(SnapshotCache):
    """Builds from the flag, group-type and project stores; their ``BackendUnavailableError`` passes through."""

    def __init__(self, flags: FlagRepo, group_types: GroupTypeRepo, projects: ProjectRepo) -> None:
        self._flags = flags
        self._group_types = group_types
        self._projects = projects

    async def get(
        self, project_id: int, kind: SnapshotKind, *, generation: str | None = None
    ) -> EncodedSnapshot | None:
        del generation  # built from the current data: always of the current generation
        project = await self._projects.get(project_id)
        if project is None:
            return None
        page = await self._flags.list(project_id, _ALL)
        mapping = {t.group_type_index: t.group_type for t in await self._group_types.list(project_id)}
        # No cohort store exists yet: both feed variants carry an empty ``cohorts`` map.
        definitions = build_definitions(page.items, group_type_mapping=mapping, cohorts={})
        return encode_snapshot(definitions, kind, timezone=project.timezone)

    async def get_etag(self, project_id: int, kind: SnapshotKind, *, generation: str | None = None) -> str | None:
        del generation
        snapshot = await self.get(project_id, kind)
        return None if snapshot is None else snapshot.etag

    async def put(
        self, project_id: int, kind: SnapshotKind, snapshot: EncodedSnapshot, *, generation: str | None = None
    ) -> bool:
        del project_id, kind, snapshot, generation  # the source holds what the snapshot was built from
        return True

    async def generation(self, project_id: int) -> str | None:
        del project_id
        return None

    async def invalidate(self, project_id: int) -> None:
        del project_id  # nothing is kept: every read builds from the current data
