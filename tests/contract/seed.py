"""Rows that SQL adapters need to exist before a port's test can run (foreign keys), inserted below the port.

The memory adapters do not check references, so they need no seed; the SQL ones get exactly the rows a test of
another port would have created. Ids are explicit so tests can use the constants below with every adapter.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from flagcore.adapters.sqlalchemy.orm import OrganizationRow, ProjectRow, UserRow
from flagcore.testing.contracts.ids import (
    ORG_ID,
    OTHER_ORG_ID,
    OTHER_PROJECT_ID,
    OTHER_USER_ID,
    PROJECT_ID,
    SEEDED_AT,
    USER_ID,
)

__all__ = (
    "ORG_ID",
    "OTHER_ORG_ID",
    "OTHER_PROJECT_ID",
    "OTHER_USER_ID",
    "PROJECT_ID",
    "SEEDED_AT",
    "USER_ID",
    "seed_organizations",
    "seed_projects",
    "seed_users",
)


async def seed_organizations(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions.begin() as session:
        session.add_all(
            [
                OrganizationRow(id=ORG_ID, name="Seed org", created_at=SEEDED_AT),
                OrganizationRow(id=OTHER_ORG_ID, name="Other seed org", created_at=SEEDED_AT),
            ]
        )


async def seed_projects(sessions: async_sessionmaker[AsyncSession]) -> None:
    await seed_organizations(sessions)
    async with sessions.begin() as session:
        session.add_all(
            [
                ProjectRow(
                    id=project_id,
                    organization_id=ORG_ID,
                    name=f"Seed project {project_id}",
                    api_token=f"phc_seed_{project_id}",
                    timezone="UTC",
                    created_at=SEEDED_AT,
                )
                for project_id in (PROJECT_ID, OTHER_PROJECT_ID)
            ]
        )


async def seed_users(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions.begin() as session:
        session.add_all(
            [
                UserRow(
                    id=user_id,
                    uuid=f"0195f0d4-0000-7000-9000-00000000000{user_id}",
                    email=f"seed{user_id}@example.com",
                    email_lower=f"seed{user_id}@example.com",
                    first_name="Seed",
                    last_name="",
                    distinct_id=f"seed-{user_id}",
                    current_project_id=None,
                    created_at=SEEDED_AT,
                )
                for user_id in (USER_ID, OTHER_USER_ID)
            ]
        )
