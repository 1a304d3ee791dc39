"""Use case: a project as a seed document, so a production set-up can be replayed by a disposable test server.

Secrets are never exported (the store holds only their hashes): every key is a placeholder that stops a server
from starting until it is replaced, or, with ``test_keys``, a freshly minted test key. Flags are exported as
create bodies in id order (a fresh server re-creates them with the same ids); flag dependencies are written by
key and cohorts carry their id as the seed reference, so the references survive the new ids.
"""

from __future__ import annotations

from typing import Any

import msgspec

from flagcore.app.identity.tokens import new_token
from flagcore.app.seeding.load import PLACEHOLDER
from flagcore.domain.cohorts import Cohort
from flagcore.domain.flags import FeatureFlag
from flagcore.domain.flags.parsing import filters_as_served
from flagcore.domain.identity import (
    PERSONAL_API_KEY_PREFIX,
    PROJECT_API_KEY_PREFIX,
    PROJECT_SECRET_KEY_PREFIX,
    MembershipLevel,
    ProjectNotFoundError,
)
from flagcore.domain.persons import Person
from flagcore.ports.cohorts import CohortQuery, CohortRepo
from flagcore.ports.flags import FlagQuery, FlagRepo
from flagcore.ports.groups import GroupTypeRepo
from flagcore.ports.identity import OrganizationRepo, ProjectRepo, UserRepo
from flagcore.ports.persons import PersonQuery, PersonRepo

_PAGE = 1000
_LEVELS = {MembershipLevel.MEMBER: "member", MembershipLevel.ADMIN: "admin", MembershipLevel.OWNER: "owner"}


class ExportSeed:
    def __init__(
        self,
        projects: ProjectRepo,
        organizations: OrganizationRepo,
        users: UserRepo,
        flags: FlagRepo,
        cohorts: CohortRepo,
        group_types: GroupTypeRepo,
        persons: PersonRepo,
    ) -> None:
        self._projects = projects
        self._organizations = organizations
        self._users = users
        self._flags = flags
        self._cohorts = cohorts
        self._group_types = group_types
        self._persons = persons

    async def execute(self, project_id: int, *, test_keys: bool = False) -> dict[str, Any]:
        """The seed document of the project (as JSON-ready data), its organization and members around it.

        Raises:
            ProjectNotFoundError: no such project.
        """
        project = await self._projects.get(project_id)
        if project is None:
            raise ProjectNotFoundError
        organization = await self._organizations.get(project.organization_id)
        flags = await self._all_flags(project_id)
        exported: dict[str, Any] = {
            "name": project.name,
            "api_token": new_token(PROJECT_API_KEY_PREFIX) if test_keys else f"phc_{PLACEHOLDER}",
            "secret_api_keys": [new_token(PROJECT_SECRET_KEY_PREFIX) if test_keys else f"phs_{PLACEHOLDER}"],
            "timezone": project.timezone,
            "group_types": [g.group_type for g in sorted(await self._group_types.list(project_id), key=_index)],
            "persons": await self._all_persons(project_id),
            "cohorts": await self._all_cohorts(project_id),
            "flags": [_flag_body(flag, {f.id: f.key for f in flags}) for flag in flags],
        }
        return {
            "organizations": [
                {
                    "name": organization.name if organization is not None else "Exported",
                    "users": await self._members(project.organization_id, test_keys=test_keys),
                    "projects": [exported],
                }
            ]
        }

    async def _all_flags(self, project_id: int) -> list[FeatureFlag]:
        flags: list[FeatureFlag] = []
        while True:
            page = await self._flags.list(project_id, FlagQuery(order="id", limit=_PAGE, offset=len(flags)))
            flags.extend(page.items)
            if len(page.items) < _PAGE:
                return [f for f in flags if not f.deleted]

    async def _all_cohorts(self, project_id: int) -> list[dict[str, Any]]:
        cohorts: list[Cohort] = []
        while True:
            page = await self._cohorts.list(project_id, CohortQuery(limit=_PAGE, offset=len(cohorts)))
            cohorts.extend(page.items)
            if len(page.items) < _PAGE:
                break
        out = []
        for cohort in sorted(cohorts, key=lambda c: c.id):  # created in id order, so references resolve
            entry: dict[str, Any] = {"id": cohort.id, "name": cohort.name or f"cohort {cohort.id}"}
            if cohort.description:
                entry["description"] = cohort.description
            if cohort.is_static:
                entry["is_static"] = True
                members = await self._cohorts.members(cohort.id, limit=2**31 - 1, offset=0)
                entry["members"] = [p.distinct_ids[0] for p in await self._persons_by_id(project_id, members)]
            else:
                entry["filters"] = cohort.filters
            out.append(entry)
        return out

    async def _persons_by_id(self, project_id: int, ids: list[int]) -> list[Any]:
        found = [await self._persons.get(project_id, i) for i in ids]
        return [p for p in found if p is not None]

    async def _all_persons(self, project_id: int) -> list[dict[str, Any]]:
        persons: list[Person] = []
        while True:
            page = await self._persons.list(project_id, PersonQuery(limit=_PAGE, offset=len(persons)))
            persons.extend(page.items)
            if not page.has_more:
                break
        return [
            {"distinct_ids": list(p.distinct_ids), "properties": p.properties}
            for p in sorted(persons, key=lambda p: p.id)
        ]

    async def _members(self, organization_id: str, *, test_keys: bool) -> list[dict[str, Any]]:
        users = []
        for membership in await self._organizations.list_members(organization_id):
            user = await self._users.get(membership.user_id)
            if user is None:
                continue
            key = new_token(PERSONAL_API_KEY_PREFIX) if test_keys else f"phx_{PLACEHOLDER}"
            users.append(
                {
                    "email": user.email,
                    "level": _LEVELS.get(membership.level, "member"),
                    "first_name": user.first_name,
                    "personal_api_keys": [{"value": key, "scopes": ["*"]}],
                }
            )
        return users


def _index(group_type: Any) -> int:  # noqa: ANN401 - a GroupType
    return int(group_type.group_type_index)


def _flag_body(flag: FeatureFlag, keys: dict[int, str]) -> dict[str, Any]:
    filters = filters_as_served(flag.filters)
    for group in filters.get("groups", []):
        for prop in group.get("properties", []):
            if prop.get("type") == "flag" and str(prop.get("key")).isdigit():
                prop["key"] = keys.get(int(prop["key"]), prop["key"])  # by key: ids change on re-creation
    body: dict[str, Any] = {
        "key": flag.key,
        "name": flag.name,
        "filters": filters,
        "active": flag.active,
        "ensure_experience_continuity": flag.ensure_experience_continuity,
        "evaluation_runtime": flag.evaluation_runtime,
        "bucketing_identifier": flag.bucketing_identifier,
        "tags": list(flag.tags),
        "evaluation_tags": list(flag.evaluation_tags),
    }
    if flag.is_remote_configuration:
        body["is_remote_configuration"] = True
    return body


def encode_seed(seed: dict[str, Any]) -> bytes:
    """The seed as indented JSON."""
    return msgspec.json.format(msgspec.json.encode(seed), indent=2) + b"\n"
