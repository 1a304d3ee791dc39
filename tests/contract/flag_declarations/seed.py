"""Flags the SQL declarations reference (foreign keys): ids 1 and 2 in project 1, id 3 in project 2."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from flagcore.adapters.sqlalchemy import SqlFlagRepo
from flagcore.domain.flags import Filters, NewFlag
from tests.contract.seed import OTHER_PROJECT_ID, PROJECT_ID, SEEDED_AT, seed_projects


async def seed_flags(sessions: async_sessionmaker[AsyncSession]) -> None:
    await seed_projects(sessions)
    repo = SqlFlagRepo(sessions)
    for project_id, key in ((PROJECT_ID, "one"), (PROJECT_ID, "two"), (OTHER_PROJECT_ID, "three")):
        await repo.create(
            NewFlag(
                project_id=project_id,
                key=key,
                name="",
                filters=Filters(),
                active=True,
                ensure_experience_continuity=False,
                evaluation_runtime="all",
                bucketing_identifier="distinct_id",
                is_remote_configuration=False,
                has_encrypted_payloads=False,
                tags=(),
                evaluation_tags=(),
                created_at=SEEDED_AT,
                created_by_id=None,
            )
        )
