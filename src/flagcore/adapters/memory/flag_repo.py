"""In-memory ``FlagRepo``: the reference implementation of the contract, used for dev runs and use-case tests."""

from __future__ import annotations

import asyncio
import itertools
from datetime import datetime

import msgspec

from flagcore.domain.flags import (
    DependencyInfo,
    DuplicateFlagKeyError,
    FeatureFlag,
    FlagNotFoundError,
    NewFlag,
    VersionConflictError,
    flag_dependency_ids,
)
from flagcore.domain.flags.status import is_fully_rolled_out
from flagcore.ports.flags import FlagPage, FlagQuery, FlagRepo


class MemoryFlagRepo(FlagRepo):
    def __init__(self) -> None:
        self._flags: dict[int, FeatureFlag] = {}
        self._ids = itertools.count(1)
        # One lock makes every method atomic, like a transaction, even across awaits in callers.
        self._lock = asyncio.Lock()
        # Each project's dependency view (its live flags), kept up to date by the writes: rebuilding it on every
        # create re-parsed every flag of the project (quadratic when a seed creates 1,000 flags).
        self._views: dict[int, dict[int, DependencyInfo]] = {}
        # Each project's live flags by key, for the duplicate-key check (a scan of every flag per create was
        # quadratic in a seed too).
        self._keys: dict[int, dict[str, int]] = {}

    def fork(self) -> MemoryFlagRepo:
        """A private copy for a unit of work (ids stay shared, like a database sequence)."""
        fork = MemoryFlagRepo()
        fork._flags = dict(self._flags)  # values are immutable structs: a shallow copy is a full copy
        fork._ids = self._ids
        fork._views = {project_id: dict(view) for project_id, view in self._views.items()}
        fork._keys = {project_id: dict(keys) for project_id, keys in self._keys.items()}
        return fork

    def adopt(self, fork: MemoryFlagRepo) -> None:
        """Make a committed fork's state this repository's, at once."""
        self._flags = fork._flags
        self._views = fork._views
        self._keys = fork._keys

    async def get(self, project_id: int, flag_id: int) -> FeatureFlag | None:
        flag = self._flags.get(flag_id)
        return flag if flag is not None and flag.project_id == project_id else None

    async def get_by_key(self, project_id: int, key: str) -> FeatureFlag | None:
        return next(
            (f for f in self._flags.values() if f.project_id == project_id and f.key == key and not f.deleted), None
        )

    async def list(self, project_id: int, query: FlagQuery) -> FlagPage:
        matches = [f for f in self._flags.values() if f.project_id == project_id and _matches(f, query)]
        field = query.order.lstrip("-")
        descending = query.order.startswith("-")
        # Stable sorts: first the tie-break (id descending), then the requested field.
        matches.sort(key=lambda f: f.id, reverse=True)
        matches.sort(key=lambda f: _sort_value(f, field), reverse=descending)
        return FlagPage(count=len(matches), items=matches[query.offset : query.offset + query.limit])

    async def create(self, flag: NewFlag) -> FeatureFlag:
        async with self._lock:
            self._ensure_key_free(flag.project_id, flag.key, exclude_id=None)
            stored = FeatureFlag(id=next(self._ids), version=1, **msgspec.structs.asdict(flag))
            self._flags[stored.id] = stored
            self._index(stored)
            return stored

    async def update(self, flag: FeatureFlag, *, expected_version: int) -> FeatureFlag:
        async with self._lock:
            current = self._current(flag.project_id, flag.id, expected_version)
            if not flag.deleted:
                self._ensure_key_free(flag.project_id, flag.key, exclude_id=flag.id)
            stored = msgspec.structs.replace(flag, version=current.version + 1, created_at=current.created_at)
            self._flags[flag.id] = stored
            self._index(stored)
            return stored

    async def soft_delete(self, project_id: int, flag_id: int, *, expected_version: int) -> FeatureFlag:
        async with self._lock:
            current = self._current(project_id, flag_id, expected_version)
            stored = msgspec.structs.replace(current, deleted=True, version=current.version + 1)
            self._flags[flag_id] = stored
            self._index(stored)
            return stored

    async def has_encrypted_payloads(self) -> bool:
        return any(f.has_encrypted_payloads for f in self._flags.values())

    async def dependency_view(self, project_id: int) -> dict[int, DependencyInfo]:
        return dict(self._views.get(project_id, {}))

    def _index(self, flag: FeatureFlag) -> None:
        view = self._views.setdefault(flag.project_id, {})
        keys = self._keys.setdefault(flag.project_id, {})
        previous = view.pop(flag.id, None)  # the flag as it was, if live: its key may have changed
        if previous is not None and keys.get(previous.key) == flag.id:
            del keys[previous.key]
        if not flag.deleted:
            view[flag.id] = DependencyInfo(
                key=flag.key, active=flag.active, depends_on=flag_dependency_ids(flag.filters)
            )
            keys[flag.key] = flag.id

    def _current(self, project_id: int, flag_id: int, expected_version: int) -> FeatureFlag:
        current = self._flags.get(flag_id)
        if current is None or current.project_id != project_id:
            raise FlagNotFoundError(flag_id)
        if current.version != expected_version:
            raise VersionConflictError(stored_version=current.version)
        return current

    def _ensure_key_free(self, project_id: int, key: str, exclude_id: int | None) -> None:
        holder = self._keys.get(project_id, {}).get(key)
        if holder is not None and holder != exclude_id:
            raise DuplicateFlagKeyError(key)


def _matches(flag: FeatureFlag, query: FlagQuery) -> bool:
    checks = (
        not flag.deleted,
        query.active is None or flag.active == query.active,
        query.search is None or query.search.lower() in flag.key.lower() or query.search.lower() in flag.name.lower(),
        query.type is None or _flag_type_matches(flag, query.type),
        query.evaluation_runtime is None or flag.evaluation_runtime == query.evaluation_runtime,
        query.created_by_id is None or flag.created_by_id == query.created_by_id,
        query.stale_before is None or _is_stale(flag, query.stale_before),
        query.tags is None or any(tag in flag.tags for tag in query.tags),
        query.has_evaluation_tags is None or bool(flag.evaluation_tags) == query.has_evaluation_tags,
        flag.key not in query.excluded_keys,
    )
    return all(checks)


def _is_stale(flag: FeatureFlag, before: datetime) -> bool:
    return flag.active and flag.created_at < before and is_fully_rolled_out(flag.filters)


def _flag_type_matches(flag: FeatureFlag, flag_type: str) -> bool:
    if flag_type == "experiment":
        return False  # no experiments in flagcore
    if flag_type == "remote_config":
        return flag.is_remote_configuration
    return flag.is_multivariate == (flag_type == "multivariant")


def _sort_value(flag: FeatureFlag, field: str) -> str | int | datetime:
    if field == "updated_at":
        # Never-updated flags sort as oldest, as NULLs do in an ascending SQL order with NULLS FIRST.
        return flag.updated_at or datetime.min.replace(tzinfo=flag.created_at.tzinfo)
    value: str | int | datetime = getattr(flag, field)
    return value
