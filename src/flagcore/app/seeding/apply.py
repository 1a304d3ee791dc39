"""Use case: apply a seed document, through the use cases the API uses, one unit of work per step.

Identity first (per organization, in one transaction), then per project: group types, persons, cohorts and flags,
each written by its own use case (``RegisterGroupType``, ``IngestEvents``, ``CreateCohort``, ``CreateFlag``,
``SyncManifest``), so a seeded flag passed exactly the rules an API-created one passes. A rule a seed breaks is a
``SeedError`` with the path of the offending value.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar

import msgspec

from flagcore.app.cohorts.static_members import AddPersonsToStaticCohort
from flagcore.app.cohorts.write_cohorts import CohortFields, CreateCohort
from flagcore.app.flags.changes import FlagChanges
from flagcore.app.flags.create_flag import CreateFlag, CreateFlagCommand
from flagcore.app.groups.group_types import RegisterGroupType
from flagcore.app.openfeature.sync_manifest import ManifestChange, SyncManifest, SyncManifestCommand
from flagcore.app.persons.ingest_events import IngestEvents
from flagcore.app.seeding.identity import SeededProject, SeededUser, seed_organization
from flagcore.app.seeding.load import SeedError
from flagcore.app.seeding.references import rewrite_cohort_refs, rewrite_flag_refs
from flagcore.app.seeding.schema import FeedDocument, ManifestDocument, SeedDocument, SeedProject
from flagcore.domain.errors import FlagcoreError
from flagcore.domain.openfeature import ManifestFlag
from flagcore.domain.persons import IngestEvent
from flagcore.ports.clock import Clock
from flagcore.ports.persons import PersonRepo
from flagcore.ports.unit_of_work import UnitOfWorkFactory

T = TypeVar("T")


class SeededWorld(msgspec.Struct, frozen=True, kw_only=True):
    """What a seed created: every project with its keys, every user with their personal keys."""

    projects: list[SeededProject]
    users: list[SeededUser]


class SeedUseCases(msgspec.Struct, frozen=True, kw_only=True):
    """The use cases a seed writes through (resolved from the application's container)."""

    transactions: UnitOfWorkFactory
    clock: Clock
    persons: PersonRepo
    create_flag: CreateFlag
    register_group_type: RegisterGroupType
    create_cohort: CreateCohort
    add_static_members: AddPersonsToStaticCohort
    ingest_events: IngestEvents
    sync_manifest: SyncManifest


class ApplySeed:
    def __init__(self, use_cases: SeedUseCases) -> None:
        self._u = use_cases

    async def execute(self, seed: SeedDocument, *, file: str = "<seed>") -> SeededWorld:
        """Create everything in ``seed``.

        Raises:
            SeedError: a value breaks a rule; what came before it in the file stays written (a disposable server
                stops at start-up, so this never serves).
        """
        projects: list[SeededProject] = []
        users: list[SeededUser] = []
        for o, org in enumerate(seed.organizations):
            path = f"$.organizations[{o}]"
            async with self._u.transactions.begin() as uow:
                created = await _checked(file, path, seed_organization(uow, org, self._u.clock, path=path))
                await uow.commit()
            organization, org_users, org_projects = created
            users.extend(org_users)
            user_id = org_users[0].id if org_users else None
            for p, (project, secrets) in enumerate(org_projects):
                await self._contents(org.projects[p], project.id, user_id, file=file, path=f"{path}.projects[{p}]")
                projects.append(
                    SeededProject(
                        id=project.id,
                        organization_id=organization.id,
                        name=project.name,
                        api_token=project.api_token,
                        secret_api_keys=secrets,
                    )
                )
        return SeededWorld(projects=projects, users=users)

    async def _contents(self, seed: SeedProject, project_id: int, user_id: int | None, *, file: str, path: str) -> None:
        u = self._u
        for i, name in enumerate(seed.group_types):
            await _checked(file, f"{path}.group_types[{i}]", u.register_group_type.execute(project_id, name))
        await self._persons(seed, project_id, file=file, path=path)
        cohort_ids = await self._cohorts(seed, project_id, user_id, file=file, path=path)
        flag_ids: dict[str, int] = {}
        for i, body in enumerate(seed.flags):
            fields = body.changes()
            if isinstance(fields.filters, dict):
                fields = msgspec.structs.replace(fields, filters=rewrite_cohort_refs(fields.filters, cohort_ids))
            await self._flag(project_id, user_id, fields, flag_ids, file=file, path=f"{path}.flags[{i}]")
        if seed.definitions is not None:
            await self._feed(seed.definitions, project_id, user_id, flag_ids, file=file, path=f"{path}.definitions")
        if seed.openfeature is not None:
            await self._manifest(seed.openfeature, project_id, user_id, file=file, path=f"{path}.openfeature")

    async def _persons(self, seed: SeedProject, project_id: int, *, file: str, path: str) -> None:
        for i, person in enumerate(seed.persons):
            first, *others = person.distinct_ids
            events = [IngestEvent(project_id=project_id, event="$set", distinct_id=first, set=person.properties)]
            events += [
                IngestEvent(project_id=project_id, event="$create_alias", distinct_id=first, properties={"alias": o})
                for o in others
            ]
            result = await _checked(file, f"{path}.persons[{i}]", self._u.ingest_events.execute(events))
            if result.failed:
                raise SeedError(file, f"{path}.persons[{i}]", "the person could not be written (see the log)")

    async def _cohorts(
        self, seed: SeedProject, project_id: int, user_id: int | None, *, file: str, path: str
    ) -> dict[int, int]:
        ids: dict[int, int] = {}
        for i, cohort in enumerate(seed.cohorts):
            at = f"{path}.cohorts[{i}]"
            filters = rewrite_cohort_refs(cohort.filters, ids) if cohort.filters is not None else None
            fields = CohortFields(
                name=cohort.name, description=cohort.description, filters=filters, is_static=cohort.is_static
            )
            created = await _checked(file, at, self._u.create_cohort.execute(project_id, user_id, fields))
            if cohort.id is not None:
                ids[cohort.id] = created.id
            if cohort.members:
                found = await self._u.persons.by_distinct_ids(project_id, cohort.members)
                missing = [m for m in cohort.members if m not in found]
                if missing:
                    raise SeedError(file, f"{at}.members", f"not a distinct id of this project's persons: {missing[0]}")
                uuids = [found[m].uuid for m in cohort.members]
                await _checked(file, at, self._u.add_static_members.execute(project_id, created.id, uuids))
        return ids

    async def _flag(
        self,
        project_id: int,
        user_id: int | None,
        fields: FlagChanges,
        flag_ids: dict[str, int],
        *,
        file: str,
        path: str,
    ) -> None:
        if isinstance(fields.filters, dict):
            fields = msgspec.structs.replace(fields, filters=rewrite_flag_refs(fields.filters, flag_ids))
        cmd = CreateFlagCommand(project_id=project_id, user_id=user_id, fields=fields)
        created = await _checked(file, path, self._u.create_flag.execute(cmd))
        flag_ids[created.key] = created.id

    async def _feed(
        self,
        feed: FeedDocument,
        project_id: int,
        user_id: int | None,
        flag_ids: dict[str, int],
        *,
        file: str,
        path: str,
    ) -> None:
        for index in sorted(feed.group_type_mapping, key=_as_index):
            name = feed.group_type_mapping[index]
            at = f"{path}.group_type_mapping.{index}"
            await _checked(file, at, self._u.register_group_type.execute(project_id, name))
        cohort_ids: dict[int, int] = {}
        for ref, properties in feed.cohorts.items():
            at = f"{path}.cohorts.{ref}"
            cohort = CohortFields(
                name=f"cohort {ref}", filters={"properties": rewrite_cohort_refs(properties, cohort_ids)}
            )
            created = await _checked(file, at, self._u.create_cohort.execute(project_id, user_id, cohort))
            cohort_ids[_as_index(ref)] = created.id
        for i, flag in enumerate(feed.flags):
            if flag.deleted:
                continue  # the feed never serves deleted flags; nothing to re-create
            fields = FlagChanges(
                key=flag.key,
                name=flag.name,
                filters=rewrite_cohort_refs(flag.filters, cohort_ids),
                active=flag.active,
                ensure_experience_continuity=flag.ensure_experience_continuity,
                evaluation_runtime=flag.evaluation_runtime,
                bucketing_identifier=flag.bucketing_identifier,
                evaluation_tags=flag.evaluation_tags,
                tags=flag.evaluation_tags,
            )
            await self._flag(project_id, user_id, fields, flag_ids, file=file, path=f"{path}.flags[{i}]")

    async def _manifest(
        self, manifest: ManifestDocument, project_id: int, user_id: int | None, *, file: str, path: str
    ) -> None:
        changes = [
            ManifestChange(
                operation="create",
                key=key,
                flag=ManifestFlag(
                    key=key, flag_type=entry.flag_type, default_value=entry.default_value, description=entry.description
                ),
            )
            for key, entry in manifest.flags.items()
        ]
        cmd = SyncManifestCommand(project_id=project_id, user_id=user_id, changes=changes)
        await _checked(file, f"{path}.flags", self._u.sync_manifest.execute(cmd))


def _as_index(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        return -1


async def _checked(file: str, path: str, step: Awaitable[T]) -> T:
    """``await step``; a domain error becomes a ``SeedError`` at ``path`` (plus the field the error names)."""
    try:
        return await step
    except FlagcoreError as exc:
        attr = exc.attr or ""
        where = attr if attr.startswith("$") else (f"{path}.{attr}" if attr else path)
        raise SeedError(file, where, exc.detail) from None
