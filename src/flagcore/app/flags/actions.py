"""Read-only custom actions on a project's flags: status, dependents, keys by id, ids matching a listing."""

from __future__ import annotations

from datetime import UTC, date, timedelta

import msgspec

from flagcore.domain.flags import FeatureFlag, FlagNotFoundError
from flagcore.domain.flags.status import STALE_AFTER, StatusReport, flag_status
from flagcore.domain.ids import is_valid_id, parse_id
from flagcore.ports.clock import Clock
from flagcore.ports.flag_usage import FlagUsageRepo
from flagcore.ports.flags import FlagQuery, FlagRepo

#: Ids one bulk request may name: a bound on the work one request can ask for (PostHog has none).
MAX_BULK_IDS = 1000
_PAGE = 1000


class DependentFlag(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    key: str
    name: str


class KeysById(msgspec.Struct, frozen=True, kw_only=True):
    keys: dict[str, str]
    invalid: list[object]


class CheckFlagStatus:
    """A flag's status (PostHog's ``status/`` action) from its configuration and its recorded usage.

    UNKNOWN for a flag that is not in the project.
    """

    def __init__(self, flags: FlagRepo, usage: FlagUsageRepo, clock: Clock) -> None:
        self._flags = flags
        self._usage = usage
        self._clock = clock

    async def execute(self, project_id: int, flag_id: int) -> StatusReport:
        flag = await self._flags.get(project_id, flag_id) if is_valid_id(flag_id) else None
        last_called_at = None
        if flag is not None and not flag.deleted:
            last_called_at = (await self._usage.last_called(project_id, [flag.key])).get(flag.key)
        return flag_status(flag, now=self._clock.now(), last_called_at=last_called_at)


class DailyCalls(msgspec.Struct, frozen=True, kw_only=True):
    """A flag's recorded ``$feature_flag_called`` calls per UTC day, oldest first, days without calls as 0."""

    days: list[tuple[date, int]]

    @property
    def total(self) -> int:
        return sum(count for _, count in self.days)


class FlagDailyCalls:
    """Calls per day of one flag over the last ``days`` UTC days (today included), for the admin UI's picture."""

    def __init__(self, usage: FlagUsageRepo, clock: Clock) -> None:
        self._usage = usage
        self._clock = clock

    async def execute(self, project_id: int, flag_key: str, *, days: int = 30) -> DailyCalls:
        today = self._clock.now().astimezone(UTC).date()
        start = today - timedelta(days=days - 1)
        counts = await self._usage.daily(project_id, flag_key, start, today + timedelta(days=1))
        span = [start + timedelta(days=i) for i in range(days)]
        return DailyCalls(days=[(day, counts.get(day, 0)) for day in span])


class ListDependentFlags:
    """Active, non-deleted flags whose conditions depend on this flag, by key."""

    def __init__(self, flags: FlagRepo) -> None:
        self._flags = flags

    async def execute(self, project_id: int, flag_id: int) -> list[DependentFlag]:
        """The dependents.

        Raises:
            FlagNotFoundError: no such flag in this project.
        """
        if not is_valid_id(flag_id) or await self._flags.get(project_id, flag_id) is None:
            raise FlagNotFoundError(flag_id)
        view = await self._flags.dependency_view(project_id)
        found: list[DependentFlag] = []
        for dep_id, info in view.items():
            if info.active and flag_id in info.depends_on:
                flag = await self._flags.get(project_id, dep_id)
                if flag is not None:
                    found.append(DependentFlag(id=flag.id, key=flag.key, name=flag.name or flag.key))
        return sorted(found, key=lambda d: d.key)


class KeysOfFlags:
    """Keys of a project's non-deleted flags by id (``bulk_keys/``); ids may be ints or digit strings."""

    def __init__(self, flags: FlagRepo) -> None:
        self._flags = flags

    async def execute(self, project_id: int, ids: list[object]) -> KeysById:
        valid: list[int] = []
        invalid: list[object] = []
        for raw in ids:
            parsed = raw if isinstance(raw, int) and not isinstance(raw, bool) else None
            if isinstance(raw, str):
                parsed = parse_id(raw)
            if parsed is None or not is_valid_id(parsed):
                invalid.append(raw)
            else:
                valid.append(parsed)
        keys: dict[str, str] = {}
        for flag_id in dict.fromkeys(valid):
            flag = await self._flags.get(project_id, flag_id)
            if flag is not None and not flag.deleted:
                keys[str(flag_id)] = flag.key
        return KeysById(keys=keys, invalid=invalid)


async def all_matching(flags: FlagRepo, project_id: int, query: FlagQuery) -> list[FeatureFlag]:
    """Every flag of the listing ``query`` describes, ignoring its page."""
    found: list[FeatureFlag] = []
    offset = 0
    while True:
        page = await flags.list(project_id, msgspec.structs.replace(query, limit=_PAGE, offset=offset))
        found += page.items
        offset += _PAGE
        if offset >= page.count or not page.items:
            return found


class MatchingFlagIds:
    """Ids of every flag a listing's filters match (``matching_ids/``), with their number."""

    def __init__(self, flags: FlagRepo, clock: Clock) -> None:
        self._flags = flags
        self._clock = clock

    async def execute(self, project_id: int, query: FlagQuery) -> list[int]:
        return [flag.id for flag in await all_matching(self._flags, project_id, with_stale_cutoff(query, self._clock))]


def with_stale_cutoff(query: FlagQuery, clock: Clock) -> FlagQuery:
    """``query`` with ``active=STALE`` taken relative to now."""
    if query.stale_before is None:
        return query
    return msgspec.structs.replace(query, stale_before=clock.now() - STALE_AFTER)
