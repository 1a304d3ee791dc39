"""``ProjectSnapshots`` built from the ``FlagRepo`` on every call, compiled once per ETag per process."""

from __future__ import annotations

import hashlib

import msgspec

from flagcore.domain.evaluation import CompiledSnapshot, compile_snapshot
from flagcore.domain.flags.feed import build_definitions
from flagcore.domain.identity import Project
from flagcore.ports.flags import FlagQuery, FlagRepo
from flagcore.ports.groups import GroupTypeRepo
from flagcore.ports.snapshots import EncodedSnapshot, ProjectSnapshots

# Every live flag of the project in one read; a snapshot is the whole project by definition.
_ALL = FlagQuery(order="key", limit=2**31 - 1)
_ENCODER = msgspec.json.Encoder()


class RepoProjectSnapshots(ProjectSnapshots):
    """Reads the flag store on each call, so it is always fresh.

    The compiled snapshot is kept in process memory, keyed by project and ETag, only as a derived cache: losing it
    costs one compile, never data.
    """

    def __init__(self, flags: FlagRepo, group_types: GroupTypeRepo) -> None:
        self._flags = flags
        self._group_types = group_types
        self._compiled: dict[int, tuple[str, CompiledSnapshot]] = {}

    async def definitions(self, project: Project, *, with_cohorts: bool) -> EncodedSnapshot:
        page = await self._flags.list(project.id, _ALL)
        mapping = {t.group_type_index: t.group_type for t in await self._group_types.list(project.id)}
        body = _ENCODER.encode(build_definitions(page.items, group_type_mapping=mapping, cohorts={}))
        # The cohort switch is part of the tag so the two variants of the feed never share one.
        digest = hashlib.blake2b(body, digest_size=16, person=b"cohorts" if with_cohorts else b"plain")
        return EncodedSnapshot(body=body, etag=digest.hexdigest())

    async def invalidate(self, project_id: int) -> None:
        # Definitions are read fresh on every call; only the derived compiled snapshot could be stale.
        self._compiled.pop(project_id, None)

    async def compiled(self, project: Project) -> CompiledSnapshot:
        snapshot = await self.definitions(project, with_cohorts=True)
        cached = self._compiled.get(project.id)
        if cached is not None and cached[0] == snapshot.etag:
            return cached[1]
        compiled = compile_snapshot(snapshot.body, timezone=project.timezone)
        self._compiled[project.id] = (snapshot.etag, compiled)
        return compiled
