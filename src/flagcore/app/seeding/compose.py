"""Applying a seed with the use cases of an application's container (the web app's, the CLI's, the plugin's)."""

from __future__ import annotations

from dishka import AsyncContainer

from flagcore.app.cohorts.static_members import AddPersonsToStaticCohort
from flagcore.app.cohorts.write_cohorts import CreateCohort
from flagcore.app.flags.create_flag import CreateFlag
from flagcore.app.groups.group_types import RegisterGroupType
from flagcore.app.openfeature.sync_manifest import SyncManifest
from flagcore.app.persons.ingest_events import IngestEvents
from flagcore.app.seeding.apply import ApplySeed, SeededWorld, SeedUseCases
from flagcore.app.seeding.schema import SeedDocument
from flagcore.ports.clock import Clock
from flagcore.ports.persons import PersonRepo
from flagcore.ports.unit_of_work import UnitOfWorkFactory


async def apply_seed(container: AsyncContainer, seed: SeedDocument, *, file: str = "<seed>") -> SeededWorld:
    """Write ``seed`` through the container's use cases.

    Raises:
        SeedError: a value of the seed breaks a rule (the path names it).
    """
    use_cases = SeedUseCases(
        transactions=await container.get(UnitOfWorkFactory),
        clock=await container.get(Clock),
        persons=await container.get(PersonRepo),
        create_flag=await container.get(CreateFlag),
        register_group_type=await container.get(RegisterGroupType),
        create_cohort=await container.get(CreateCohort),
        add_static_members=await container.get(AddPersonsToStaticCohort),
        ingest_events=await container.get(IngestEvents),
        sync_manifest=await container.get(SyncManifest),
    )
    return await ApplySeed(use_cases).execute(seed, file=file)


def world_text(world: SeededWorld) -> str:
    """The seeded keys, as a seeded server prints them at start-up (they are test keys: the seed fixed them)."""
    lines = ["flagcore: seeded"]
    for project in world.projects:
        lines.append(f"  project {project.id} {project.name!r}: api_token {project.api_token}")
        lines.extend(f"    secret_api_key {secret}" for secret in project.secret_api_keys)
    for user in world.users:
        lines.extend(f"  user {user.email}: personal_api_key {key}" for key in user.personal_api_keys)
    return "\n".join(lines)
