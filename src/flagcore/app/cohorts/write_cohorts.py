"""Use cases: create and update a cohort (persons spec §3.4). A change rebuilds the project's snapshots after commit.

Dynamic cohorts are validated (shape, references, loops); static ones carry no filters. A cohort used by an active
flag cannot be deleted, as PostHog refuses it.
"""

from __future__ import annotations

import functools
from typing import Any, Final

import msgspec

from flagcore.app.cohorts.csv_import import import_members, require_static
from flagcore.domain.cohorts import Cohort, CohortNotFoundError, NewCohort, check_references, validate_filters
from flagcore.domain.cohorts.csv_import import CohortCsvError, CsvIds
from flagcore.domain.errors import InvalidInputError
from flagcore.domain.flags import cohort_ids
from flagcore.ports.clock import Clock
from flagcore.ports.flags import FlagQuery
from flagcore.ports.snapshots import ProjectSnapshots
from flagcore.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory

_ALL_FLAGS: Final = FlagQuery(order="key", limit=2**31 - 1)
_MAX_NAME: Final = 400
_MAX_DESCRIPTION: Final = 1000


class CohortFields(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The writable fields of a cohort (each optional on update)."""

    name: str | None | msgspec.UnsetType = msgspec.UNSET
    description: str | msgspec.UnsetType = msgspec.UNSET
    filters: dict[str, Any] | None | msgspec.UnsetType = msgspec.UNSET
    is_static: bool | msgspec.UnsetType = msgspec.UNSET
    deleted: bool | msgspec.UnsetType = msgspec.UNSET
    groups: list[Any] | msgspec.UnsetType = msgspec.UNSET
    query: Any = msgspec.UNSET
    cohort_type: str | None | msgspec.UnsetType = msgspec.UNSET


class CreateCohort:
    def __init__(self, transactions: UnitOfWorkFactory, snapshots: ProjectSnapshots, clock: Clock) -> None:
        self._transactions = transactions
        self._snapshots = snapshots
        self._clock = clock

    async def execute(
        self, project_id: int, user_id: int | None, fields: CohortFields, *, calculating: bool = False
    ) -> Cohort:
        """The created cohort (``calculating``: a static cohort that background work is about to fill).

        Raises:
            InvalidInputError: bad name, description or filters; a query (flagcore keeps no events to run it on).
        """
        _check_texts(fields)
        is_static = fields.is_static if isinstance(fields.is_static, bool) else False
        async with self._transactions.begin() as uow:
            await uow.lock_project(project_id)
            filters = await _checked_filters(uow, project_id, None, fields.filters, is_static=is_static)
            created = await uow.cohorts.create(
                NewCohort(
                    project_id=project_id,
                    name=fields.name if isinstance(fields.name, str) else None,
                    description=fields.description if isinstance(fields.description, str) else "",
                    filters=filters,
                    is_static=is_static,
                    created_by_id=user_id,
                    created_at=self._clock.now(),
                )
            )
            if is_static:
                created = await uow.cohorts.save(msgspec.structs.replace(created, count=0, is_calculating=calculating))
            uow.after_commit(functools.partial(self._snapshots.invalidate, project_id))
            await uow.commit()
        return created


class UpdateCohort:
    def __init__(self, transactions: UnitOfWorkFactory, snapshots: ProjectSnapshots) -> None:
        self._transactions = transactions
        self._snapshots = snapshots

    async def execute(
        self, project_id: int, cohort_id: int, fields: CohortFields, upload: CsvIds | None = None
    ) -> Cohort:
        """The updated cohort, with the persons of ``upload`` (a CSV) added, all in one transaction.

        Raises:
            CohortNotFoundError: no such cohort in the project.
            InvalidInputError: bad fields, or deleting a cohort active flags use.
            CohortCsvError: an upload for a cohort that is not static (after the fields): nothing is written.
        """
        _check_texts(fields)
        async with self._transactions.begin() as uow:
            await uow.lock_project(project_id)
            current = await uow.cohorts.get(project_id, cohort_id)
            if current is None:
                raise CohortNotFoundError
            changed = _apply(current, fields)
            if not isinstance(fields.filters, msgspec.UnsetType):
                filters = await _checked_filters(
                    uow, project_id, cohort_id, fields.filters, is_static=changed.is_static
                )
                changed = msgspec.structs.replace(changed, filters=filters)
            if changed.deleted and not current.deleted:
                await _refuse_if_used(uow, project_id, current)
            if upload is not None:
                if current.deleted:  # as the import alone answers for a deleted cohort
                    raise CohortNotFoundError
                if changed.deleted:
                    raise CohortCsvError("A CSV cannot be uploaded to a cohort being deleted.")
                require_static(changed)
            saved = await uow.cohorts.save(changed)
            if upload is not None:
                saved = await import_members(uow, project_id, saved, upload)
            uow.after_commit(functools.partial(self._snapshots.invalidate, project_id))
            await uow.commit()
        return saved


def _apply(current: Cohort, fields: CohortFields) -> Cohort:
    changes: dict[str, Any] = {}
    for name in ("name", "description", "is_static", "deleted"):
        value = getattr(fields, name)
        if not isinstance(value, msgspec.UnsetType):
            changes[name] = value
    return msgspec.structs.replace(current, **changes)


def _check_texts(fields: CohortFields) -> None:
    if isinstance(fields.name, str) and len(fields.name) > _MAX_NAME:
        raise InvalidInputError(
            f"Ensure this field has no more than {_MAX_NAME} characters.", code="max_length", attr="name"
        )
    if isinstance(fields.description, str) and len(fields.description) > _MAX_DESCRIPTION:
        raise InvalidInputError(
            f"Ensure this field has no more than {_MAX_DESCRIPTION} characters.", code="max_length", attr="description"
        )
    if fields.query not in (msgspec.UNSET, None):
        raise InvalidInputError(
            "Query cohorts are not supported: flagcore keeps no events to run the query on.", attr="query"
        )
    if fields.groups not in (msgspec.UNSET, []):
        raise InvalidInputError("Legacy cohort groups are not supported; use filters.", attr="groups")


async def _checked_filters(
    uow: UnitOfWork,
    project_id: int,
    cohort_id: int | None,
    filters: dict[str, Any] | None | msgspec.UnsetType,
    *,
    is_static: bool,
) -> dict[str, Any]:
    if is_static:
        return {}  # PostHog skips filter validation for static cohorts; flagcore stores none for them
    if isinstance(filters, msgspec.UnsetType) or filters is None:
        filters = {}
    checked = validate_filters(filters)
    others = {c.id: c.filters for c in await uow.cohorts.live(project_id) if c.id != cohort_id}
    check_references(cohort_id, checked, others)
    return checked


async def _refuse_if_used(uow: UnitOfWork, project_id: int, cohort: Cohort) -> None:
    page = await uow.flags.list(project_id, _ALL_FLAGS)
    users = sorted(f.key for f in page.items if f.active and not f.deleted and cohort.id in cohort_ids(f.filters))
    if users:
        raise InvalidInputError(
            f"This cohort is used in {len(users)} active feature flag(s): {', '.join(users)}. "
            "Please remove the cohort from these feature flags before deleting it.",
            code="cohort_in_use",
        )
