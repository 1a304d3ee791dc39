"""``SnapshotSource`` over the repositories: builds a project's snapshots from its stored flags and group types.

Building reads every live flag of the project; the stores in front of it exist so that this is rare.
"""

from __future__ import annotations

from typing import Final

import msgspec

from flagcore.domain.cohorts import feed_cohorts
from flagcore.domain.snapshots import EncodedSnapshot, SnapshotKind, build_definitions, encode_snapshot
from flagcore.ports.cohorts import CohortRepo
from flagcore.ports.flags import FlagQuery, FlagRepo
from flagcore.ports.groups import GroupTypeRepo
from flagcore.ports.identity import ProjectRepo
from flagcore.ports.snapshot_store import SnapshotSource

# Every live flag of the project in one read; a snapshot is the whole project by definition.
_ALL: Final = FlagQuery(order="key", limit=2**31 - 1)


class DatabaseSnapshotSource(SnapshotSource):
    """Builds from the flag, group-type, project and cohort stores; their ``BackendUnavailableError`` passes through."""

    def __init__(
        self,
        flags: FlagRepo,
        group_types: GroupTypeRepo,
        projects: ProjectRepo,
        cohorts: CohortRepo | None = None,
    ) -> None:
        self._flags = flags
        self._group_types = group_types
        self._projects = projects
        self._cohorts = cohorts

    async def build(self, project_id: int, kind: SnapshotKind) -> EncodedSnapshot | None:
        project = await self._projects.get(project_id)
        if project is None:
            return None
        page = await self._flags.list(project_id, _ALL)
        mapping = {t.group_type_index: t.group_type for t in await self._group_types.list(project_id)}
        definitions = build_definitions(page.items, group_type_mapping=mapping, cohorts={})
        live = await self._cohorts.live(project_id) if self._cohorts is not None else []
        cohorts, static = feed_cohorts((f.filters for f in definitions.flags), live)
        definitions = msgspec.structs.replace(definitions, cohorts=cohorts)
        return encode_snapshot(definitions, kind, timezone=project.timezone, static_cohorts=static)
