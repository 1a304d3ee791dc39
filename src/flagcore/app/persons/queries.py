"""Use cases of the persons and groups API: list, read and delete persons; list groups."""

from __future__ import annotations

from flagcore.domain.errors import NotFoundError
from flagcore.domain.persons import Person, PersonNotFoundError
from flagcore.ports.persons import GroupPage, GroupQuery, GroupRepo, PersonPage, PersonQuery, PersonRepo
from flagcore.ports.unit_of_work import UnitOfWorkFactory


class ListPersons:
    def __init__(self, persons: PersonRepo) -> None:
        self._persons = persons

    async def execute(self, project_id: int, query: PersonQuery) -> PersonPage:
        """A page of the project's persons, newest first."""
        return await self._persons.list(project_id, query)


class GetPerson:
    def __init__(self, persons: PersonRepo) -> None:
        self._persons = persons

    async def execute(self, project_id: int, person_id: int) -> Person:
        """The person.

        Raises:
            PersonNotFoundError: absent, or another project's.
        """
        person = await self._persons.get(project_id, person_id)
        if person is None:
            raise PersonNotFoundError
        return person


class DeletePerson:
    def __init__(self, transactions: UnitOfWorkFactory) -> None:
        self._transactions = transactions

    async def execute(self, project_id: int, person_id: int) -> None:
        """Delete the person, their distinct ids and static cohort memberships.

        Raises:
            PersonNotFoundError: absent, or another project's.
        """
        async with self._transactions.begin() as uow:
            if await uow.persons.get(project_id, person_id) is None:
                raise PersonNotFoundError
            await uow.cohorts.forget_person(person_id)
            await uow.persons.delete(project_id, person_id)
            await uow.commit()


class ListGroups:
    def __init__(self, groups: GroupRepo) -> None:
        self._groups = groups

    async def execute(self, project_id: int, query: GroupQuery) -> GroupPage:
        """A page of the project's groups of one type, by key."""
        return await self._groups.list(project_id, query)


class GroupNotFoundError(NotFoundError):
    def __init__(self) -> None:
        super().__init__("Not found.")
