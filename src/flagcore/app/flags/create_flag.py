"""Use case: create a feature flag."""

from __future__ import annotations

from typing import TypeVar

import msgspec

from flagcore.app.flags.changes import FlagChanges, Unset, new_flag_filters
from flagcore.app.flags.cohort_check import check_flag_cohorts
from flagcore.app.flags.payloads import protect_new_payloads
from flagcore.app.flags.writes import commit_flag_write
from flagcore.domain.errors import InvalidInputError
from flagcore.domain.flags import (
    FeatureFlag,
    NewFlag,
    normalize_tags,
    validate_dependencies,
    validate_evaluation_tags,
    validate_key,
)
from flagcore.domain.flags.limits import check_flag_count
from flagcore.domain.identity import ProjectNotFoundError
from flagcore.ports.clock import Clock
from flagcore.ports.payload_cipher import PayloadCipher
from flagcore.ports.snapshots import ProjectSnapshots
from flagcore.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory

T = TypeVar("T")


class CreateFlagCommand(msgspec.Struct, frozen=True, kw_only=True):
    project_id: int
    user_id: int | None
    fields: FlagChanges


class CreateFlag:
    """Validate a new flag with PostHog's rules and store it with ``version`` 1, in one transaction.

    Dependency rules are checked under the project's write lock, against the state the write commits into.
    """

    def __init__(
        self, transactions: UnitOfWorkFactory, snapshots: ProjectSnapshots, clock: Clock, cipher: PayloadCipher
    ) -> None:
        self._transactions = transactions
        self._snapshots = snapshots
        self._clock = clock
        self._cipher = cipher

    async def execute(self, cmd: CreateFlagCommand) -> FeatureFlag:
        """Create the flag.

        Raises:
            InvalidInputError: a broken validation rule (missing key, bad key, bad filters, bad tags, dependencies),
                or the project already has ``MAX_FLAGS_PER_PROJECT`` live flags.
            DuplicateFlagKeyError: the key is taken by a non-deleted flag of the project.
            ProjectNotFoundError: the project does not exist (any more).
        """
        async with self._transactions.begin() as uow:
            return await self.write(uow, cmd)

    async def write(self, uow: UnitOfWork, cmd: CreateFlagCommand) -> FeatureFlag:
        """Create the flag inside ``uow`` (opened by a use case that writes more in the same commit) and commit it.

        Raises:
            as ``execute``.
        """
        fields = cmd.fields
        if isinstance(fields.key, Unset):
            raise InvalidInputError("This field is required.", code="required", attr="key")
        if fields.deleted is True:
            raise InvalidInputError("A flag cannot be created deleted.", attr="deleted")
        key = validate_key(fields.key)
        filters = new_flag_filters(fields.filters)
        tags = normalize_tags(_or(fields.tags, []))
        evaluation_tags = normalize_tags(_or(fields.evaluation_tags, []))
        validate_evaluation_tags(tags, evaluation_tags)
        now = self._clock.now()
        new = NewFlag(
            project_id=cmd.project_id,
            key=key,
            name=_or(fields.name, ""),
            filters=filters,
            active=_or(fields.active, True),
            ensure_experience_continuity=_or(fields.ensure_experience_continuity, False),
            evaluation_runtime=_or(fields.evaluation_runtime, "all"),
            bucketing_identifier=_or(fields.bucketing_identifier, "distinct_id"),
            is_remote_configuration=_or(fields.is_remote_configuration, False),
            has_encrypted_payloads=_or(fields.has_encrypted_payloads, False),
            tags=tags,
            evaluation_tags=evaluation_tags,
            created_at=now,
            created_by_id=cmd.user_id,
        )
        new = protect_new_payloads(new, self._cipher)
        project = await uow.lock_project(cmd.project_id)
        if project is None:
            raise ProjectNotFoundError
        project_flags = await uow.flags.dependency_view(cmd.project_id)
        check_flag_count(len(project_flags))  # the view holds every live flag; counted under the lock
        validate_dependencies(flag_id=None, key=key, filters=filters, project_flags=project_flags)
        await check_flag_cohorts(uow.cohorts, cmd.project_id, filters)
        created = await uow.flags.create(new)
        await commit_flag_write(
            uow, self._snapshots, project=project, before=None, after=created, user_id=cmd.user_id, at=now
        )
        return created


def _or(value: T | Unset, default: T) -> T:
    return default if isinstance(value, Unset) else value
