"""The properties ``/flags`` matches on, built as PostHog's server builds them (persons spec §2.3).

Stored person properties, then ``distinct_id``, then the request's overrides (they win), then missing
``$initial_*`` keys filled in from their counterparts; group properties likewise from the stored group. The stores
are read only when a flag of the snapshot reads a key the request did not send (or a static cohort): at most one
person read per request, and one read per group the request names. When a store cannot be read, the request's
own properties are used and the answer says ``errorsWhileComputingFlags``.
"""

from __future__ import annotations

import logging
from typing import Any

import msgspec

from flagcore.app.evaluation.pipeline import EvaluationRequest
from flagcore.domain.evaluation import CompiledSnapshot
from flagcore.domain.persons import Person, with_initial_properties
from flagcore.ports.cohorts import CohortRepo
from flagcore.ports.errors import BackendUnavailableError
from flagcore.ports.persons import GroupRepo, PersonRepo

logger = logging.getLogger("flagcore.evaluation")


class StoredSubject(msgspec.Struct, frozen=True, kw_only=True):
    """The request with stored properties laid under its own; ``failed``: a store could not be read."""

    request: EvaluationRequest
    failed: bool = False


class StoredProperties:
    """Completes evaluation requests with stored properties. One instance serves every request."""

    def __init__(self, persons: PersonRepo, groups: GroupRepo, cohorts: CohortRepo) -> None:
        self._persons = persons
        self._groups = groups
        self._cohorts = cohorts

    async def complete(
        self, project_id: int, snapshot: CompiledSnapshot, request: EvaluationRequest, *, only_overrides: bool
    ) -> StoredSubject:
        """``request`` with the properties its flags can read."""
        needs = snapshot.needs
        failed = False
        person_properties = request.person_properties
        static_cohorts: frozenset[int] = frozenset()
        if needs.person_keys or needs.static_cohorts:
            stored: dict[str, Any] = {}
            if needs.static_cohorts or (not only_overrides and needs.person_read_needed(person_properties)):
                person, failed = await self._person(project_id, request.distinct_id)
                if person is not None and not only_overrides:
                    stored = dict(person.properties)
                if person is not None and needs.static_cohorts:
                    static_cohorts, cohorts_failed = await self._memberships(project_id, person)
                    failed = failed or cohorts_failed
            person_properties = with_initial_properties(
                {**stored, "distinct_id": request.distinct_id, **person_properties}
            )
        group_properties, groups_failed = await self._group_properties(project_id, snapshot, request)
        completed = msgspec.structs.replace(
            request,
            person_properties=person_properties,
            group_properties=group_properties,
            static_cohorts=static_cohorts,
        )
        return StoredSubject(request=completed, failed=failed or groups_failed)

    async def _person(self, project_id: int, distinct_id: str) -> tuple[Person | None, bool]:
        try:
            return await self._persons.by_distinct_id(project_id, distinct_id), False
        except BackendUnavailableError:
            logger.warning("person store unavailable (project %s)", project_id, exc_info=True)
            return None, True

    async def _memberships(self, project_id: int, person: Person) -> tuple[frozenset[int], bool]:
        try:
            return await self._cohorts.memberships(person.id), False
        except BackendUnavailableError:
            logger.warning("cohort store unavailable (project %s)", project_id, exc_info=True)
            return frozenset(), True

    async def _group_properties(
        self, project_id: int, snapshot: CompiledSnapshot, request: EvaluationRequest
    ) -> tuple[dict[str, dict[str, Any]], bool]:
        needs = snapshot.needs
        if not needs.group_keys or not request.groups:
            return request.group_properties, False
        completed = dict(request.group_properties)
        failed = False
        for name, key in request.groups.items():
            index = snapshot.group_type_indexes.get(name)
            sent = request.group_properties.get(name) or {}
            if index is None or key is None or not needs.group_read_needed(index, sent):
                continue
            try:
                group = await self._groups.get(project_id, index, str(key))
            except BackendUnavailableError:
                logger.warning("group store unavailable (project %s)", project_id, exc_info=True)
                failed = True
                continue
            if group is not None:
                completed[name] = {**group.properties, **sent}
        return completed, failed
