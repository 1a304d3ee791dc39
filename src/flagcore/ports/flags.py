"""Storage of feature flags."""

from __future__ import annotations

from abc import abstractmethod
from datetime import datetime
from typing import Literal, Protocol

import msgspec

from flagcore.domain.flags import DependencyInfo, FeatureFlag, NewFlag

FlagOrder = Literal[
    "created_at", "-created_at", "updated_at", "-updated_at", "key", "-key", "name", "-name", "id", "-id"
]
FlagType = Literal["boolean", "multivariant", "remote_config", "experiment"]


class FlagQuery(msgspec.Struct, frozen=True, kw_only=True):
    """Filters, order and page of a flag listing. ``None`` means "do not filter on this"."""

    active: bool | None = None
    search: str | None = None
    type: FlagType | None = None
    evaluation_runtime: Literal["server", "client", "all"] | None = None
    created_by_id: int | None = None
    #: ``active=STALE``: active flags fully rolled out (``status.is_fully_rolled_out``) created before this instant.
    stale_before: datetime | None = None
    #: Flags having at least one of these (normalised) tags.
    tags: tuple[str, ...] | None = None
    #: True: at least one evaluation tag; False: none.
    has_evaluation_tags: bool | None = None
    #: Flag keys left out of the result.
    excluded_keys: tuple[str, ...] = ()
    order: FlagOrder = "-created_at"
    limit: int = 100
    offset: int = 0


class FlagPage(msgspec.Struct, frozen=True, kw_only=True):
    count: int
    items: list[FeatureFlag]


class FlagRepo(Protocol):
    """The project-scoped store of feature flags. Every method is atomic on its own."""

    @abstractmethod
    async def get(self, project_id: int, flag_id: int) -> FeatureFlag | None:
        """The flag with this id in this project, deleted or not; None if absent or in another project."""
        ...

    @abstractmethod
    async def get_by_key(self, project_id: int, key: str) -> FeatureFlag | None:
        """The non-deleted flag with this key (keys are case-sensitive); None if there is none."""
        ...

    @abstractmethod
    async def list(self, project_id: int, query: FlagQuery) -> FlagPage:
        """Non-deleted flags matching ``query``, ordered, with ``count`` before paging.

        ``search`` matches key or name case-insensitively as a substring; ``type`` is ``boolean`` (no variants),
        ``multivariant`` (at least one variant), ``remote_config`` or ``experiment`` (always empty: flagcore has no
        experiments). ``tags`` matches flags with any of them. Ties in the order fall back to id descending.
        """
        ...

    @abstractmethod
    async def create(self, flag: NewFlag) -> FeatureFlag:
        """Store a new flag with a fresh id and ``version`` 1.

        Raises:
            DuplicateFlagKeyError: a non-deleted flag of the project already has this key.
        """
        ...

    @abstractmethod
    async def update(self, flag: FeatureFlag, *, expected_version: int) -> FeatureFlag:
        """Compare-and-set: write every mutable field of ``flag`` iff the stored version is ``expected_version``.

        The stored ``version`` becomes ``expected_version + 1`` and ``updated_at``/``last_modified_by_id`` are taken
        from ``flag``. Of concurrent writers with the same expected version exactly one succeeds.

        Raises:
            FlagNotFoundError: no such flag in the project.
            VersionConflictError: the stored version differs (another write won).
            DuplicateFlagKeyError: the new key (or restoring a deleted flag) collides with a non-deleted flag.
        """
        ...

    @abstractmethod
    async def soft_delete(self, project_id: int, flag_id: int, *, expected_version: int) -> FeatureFlag:
        """Mark the flag deleted (compare-and-set like ``update``) and return it; its key becomes free for reuse.

        Raises:
            FlagNotFoundError: no such flag in the project.
            VersionConflictError: the stored version differs.
        """
        ...

    @abstractmethod
    async def has_encrypted_payloads(self) -> bool:
        """Whether any flag of any project, deleted or not, stores encrypted payloads (a start-up check)."""
        ...

    @abstractmethod
    async def dependency_view(self, project_id: int) -> dict[int, DependencyInfo]:
        """Key, active state and direct flag dependencies of every non-deleted flag of the project, by id."""
        ...
