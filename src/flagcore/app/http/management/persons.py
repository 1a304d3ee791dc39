"""``/api/projects/{project_id}/persons/`` and ``.../groups/``: stored persons and groups, read and deleted."""

from __future__ import annotations

from typing import Any, Final

from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, Request, delete, get
from litestar.params import FromPath

from flagcore.app.http.auth import rule
from flagcore.app.http.management.list_query import page_urls, parse_page, request_base_url
from flagcore.app.http.management.person_schemas import GroupList, PersonList, PersonOut, group_out, person_out
from flagcore.app.http.routes import operation
from flagcore.app.identity.authorize import Access
from flagcore.app.persons.queries import DeletePerson, GetPerson, ListGroups, ListPersons
from flagcore.domain.errors import InvalidInputError
from flagcore.domain.groups import MAX_GROUP_TYPES
from flagcore.domain.identity import Target
from flagcore.ports.persons import GroupQuery, PersonQuery

Req = Request[Any, Any, Any]
PERSON_READ: Final = rule(Target.PROJECT, "person:read")
PERSON_WRITE: Final = rule(Target.PROJECT, "person:write")
GROUP_READ: Final = rule(Target.PROJECT, "group:read")


def _links(request: Req, limit: int, offset: int, shown: int, *, more: bool) -> tuple[str | None, str | None]:
    params = dict(request.query_params)
    count = offset + shown + (1 if more else 0)
    return page_urls(request_base_url(request), params, limit=limit, offset=offset, count=count)


class PersonController(Controller):
    path = "/"
    tags = ["persons"]  # noqa: RUF012 - Litestar reads it as a class attribute

    @get("/", opt=PERSON_READ, operation_id=operation("persons_list"))
    @inject
    async def list_persons(
        self, request: Req, access: FromDishka[Access], use_case: FromDishka[ListPersons]
    ) -> PersonList:
        limit, offset = parse_page(dict(request.query_params))
        query = PersonQuery(
            search=request.query_params.get("search") or None,
            distinct_id=request.query_params.get("distinct_id") or None,
            limit=limit,
            offset=offset,
        )
        page = await use_case.execute(access.project.id, query)
        nxt, prev = _links(request, limit, offset, len(page.items), more=page.has_more)
        return PersonList(next=nxt, previous=prev, results=[person_out(p) for p in page.items])

    @get("/{person_id:int}", opt=PERSON_READ, operation_id=operation("persons_retrieve"))
    @inject
    async def retrieve_person(
        self, person_id: FromPath[int], access: FromDishka[Access], use_case: FromDishka[GetPerson]
    ) -> PersonOut:
        return person_out(await use_case.execute(access.project.id, person_id))

    @delete("/{person_id:int}", opt=PERSON_WRITE, operation_id=operation("persons_destroy"))
    @inject
    async def delete_person(
        self, person_id: FromPath[int], access: FromDishka[Access], use_case: FromDishka[DeletePerson]
    ) -> None:
        await use_case.execute(access.project.id, person_id)


class GroupController(Controller):
    path = "/"
    tags = ["groups"]  # noqa: RUF012 - Litestar reads it as a class attribute

    @get("/", opt=GROUP_READ, operation_id=operation("groups_list"))
    @inject
    async def list_groups(
        self, request: Req, access: FromDishka[Access], use_case: FromDishka[ListGroups]
    ) -> GroupList:
        params = dict(request.query_params)
        limit, offset = parse_page(params)
        index = _group_type_index(params.get("group_type_index"))
        query = GroupQuery(group_type_index=index, search=params.get("search") or None, limit=limit, offset=offset)
        page = await use_case.execute(access.project.id, query)
        nxt, prev = _links(request, limit, offset, len(page.items), more=page.has_more)
        return GroupList(next=nxt, previous=prev, results=[group_out(g) for g in page.items])


def _group_type_index(raw: str | None) -> int:
    if raw is None or not raw.strip():
        raise InvalidInputError("This field is required.", code="required", attr="group_type_index")
    if not raw.strip().isascii() or not raw.strip().isdigit() or int(raw) >= MAX_GROUP_TYPES:
        raise InvalidInputError(
            f"Ensure this value is an integer from 0 to {MAX_GROUP_TYPES - 1}.", code="invalid", attr="group_type_index"
        )
    return int(raw)
