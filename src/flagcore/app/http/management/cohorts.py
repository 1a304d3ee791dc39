"""``/api/projects/{project_id}/cohorts/``: PostHog's cohorts API (dynamic and static cohorts)."""

from __future__ import annotations

from typing import Any, Final

from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, Request, delete, get, patch, post, put
from litestar.exceptions import MethodNotAllowedException
from litestar.params import FromPath

from flagcore.app.cohorts.csv_import import ImportCohortCsv
from flagcore.app.cohorts.queries import GetCohort, ListCohortPersons, ListCohorts
from flagcore.app.cohorts.static_members import AddPersonsToStaticCohort, RemovePersonFromStaticCohort
from flagcore.app.cohorts.write_cohorts import CohortFields, CreateCohort, UpdateCohort
from flagcore.app.http.auth import rule
from flagcore.app.http.body import decode_json_body
from flagcore.app.http.management.cohort_schemas import (
    CohortList,
    CohortOut,
    PersonsToAdd,
    PersonToRemove,
    Success,
    cohort_out,
)
from flagcore.app.http.management.cohort_upload import MAX_COHORT_BODY, read_cohort_body, require_static
from flagcore.app.http.management.list_query import page_urls, parse_page, request_base_url
from flagcore.app.http.management.person_schemas import PersonList, person_out
from flagcore.app.http.openapi import doc
from flagcore.app.http.routes import operation
from flagcore.app.identity.authorize import Access
from flagcore.domain.cohorts import Cohort
from flagcore.domain.errors import InvalidInputError
from flagcore.domain.identity import Target
from flagcore.ports.cohorts import CohortQuery

Req = Request[Any, Any, Any]
COHORT_READ: Final = rule(Target.PROJECT, "cohort:read")
COHORT_WRITE: Final = rule(Target.PROJECT, "cohort:write")


_WRITE = {**COHORT_WRITE, **doc(body=CohortFields)}


class CohortController(Controller):
    path = "/"
    tags = ["cohorts"]  # noqa: RUF012 - Litestar reads it as a class attribute

    @get("/", opt=COHORT_READ, operation_id=operation("cohorts_list"))
    @inject
    async def list_cohorts(
        self, request: Req, access: FromDishka[Access], use_case: FromDishka[ListCohorts]
    ) -> CohortList:
        params = dict(request.query_params)
        limit, offset = parse_page(params)
        kind = params.get("type") or None
        if kind not in (None, "static", "dynamic"):
            raise InvalidInputError(f'"{kind}" is not a valid choice.', code="invalid_choice", attr="type")
        query = CohortQuery(search=params.get("search") or None, type=kind, limit=limit, offset=offset)
        page = await use_case.execute(access.project.id, query)
        nxt, prev = page_urls(request_base_url(request), params, limit=limit, offset=offset, count=page.count)
        return CohortList(count=page.count, next=nxt, previous=prev, results=[cohort_out(c) for c in page.items])

    @post("/", opt=_WRITE, operation_id=operation("cohorts_create"), request_max_body_size=MAX_COHORT_BODY)
    @inject
    async def create_cohort(
        self,
        request: Req,
        access: FromDishka[Access],
        use_case: FromDishka[CreateCohort],
        importer: FromDishka[ImportCohortCsv],
    ) -> CohortOut:
        body = await read_cohort_body(request)
        require_static(body, is_static=body.fields.is_static is True)
        cohort = await use_case.execute(access.project.id, access.user.id, body.fields)
        if body.upload is not None:
            cohort = await importer.execute(access.project.id, cohort.id, body.upload)
        return cohort_out(cohort)

    @get("/{cohort_id:int}", opt=COHORT_READ, operation_id=operation("cohorts_retrieve"))
    @inject
    async def retrieve_cohort(
        self, cohort_id: FromPath[int], access: FromDishka[Access], use_case: FromDishka[GetCohort]
    ) -> CohortOut:
        return cohort_out(await use_case.execute(access.project.id, cohort_id))

    @patch(
        "/{cohort_id:int}",
        opt=_WRITE,
        operation_id=operation("cohorts_partial_update"),
        request_max_body_size=MAX_COHORT_BODY,
    )
    @inject
    async def patch_cohort(
        self,
        request: Req,
        cohort_id: FromPath[int],
        access: FromDishka[Access],
        use_case: FromDishka[UpdateCohort],
    ) -> CohortOut:
        return cohort_out(await _update(request, access, cohort_id, use_case))

    @put(
        "/{cohort_id:int}",
        opt=_WRITE,
        operation_id=operation("cohorts_update"),
        request_max_body_size=MAX_COHORT_BODY,
    )
    @inject
    async def put_cohort(
        self,
        request: Req,
        cohort_id: FromPath[int],
        access: FromDishka[Access],
        use_case: FromDishka[UpdateCohort],
    ) -> CohortOut:
        return cohort_out(await _update(request, access, cohort_id, use_case))

    @delete("/{cohort_id:int}", opt=COHORT_WRITE, operation_id=operation("cohorts_destroy"), status_code=405)
    @inject
    async def delete_cohort(self, cohort_id: FromPath[int], access: FromDishka[Access]) -> None:
        # PostHog answers 405: a cohort is soft-deleted with PATCH {"deleted": true}.
        del cohort_id, access
        raise MethodNotAllowedException(headers={"Allow": "GET, PUT, PATCH, HEAD, OPTIONS"})

    @get("/{cohort_id:int}/persons", opt=COHORT_READ, operation_id=operation("cohorts_persons"))
    @inject
    async def cohort_persons(
        self,
        request: Req,
        cohort_id: FromPath[int],
        access: FromDishka[Access],
        use_case: FromDishka[ListCohortPersons],
    ) -> PersonList:
        params = dict(request.query_params)
        limit, offset = parse_page(params)
        page = await use_case.execute(access.project.id, cohort_id, limit=limit, offset=offset)
        count = offset + len(page.persons) + (1 if page.has_more else 0)
        nxt, prev = page_urls(request_base_url(request), params, limit=limit, offset=offset, count=count)
        return PersonList(next=nxt, previous=prev, results=[person_out(p) for p in page.persons])

    @patch(
        "/{cohort_id:int}/add_persons_to_static_cohort",
        opt={**COHORT_WRITE, **doc(body=PersonsToAdd)},
        operation_id=operation("cohorts_add_persons_to_static_cohort"),
    )
    @inject
    async def add_persons(
        self,
        request: Req,
        cohort_id: FromPath[int],
        access: FromDishka[Access],
        use_case: FromDishka[AddPersonsToStaticCohort],
    ) -> Success:
        body = decode_json_body(await request.body(), PersonsToAdd)
        await use_case.execute(access.project.id, cohort_id, body.person_ids)
        return Success()

    @patch(
        "/{cohort_id:int}/remove_person_from_static_cohort",
        opt={**COHORT_WRITE, **doc(body=PersonToRemove)},
        operation_id=operation("cohorts_remove_person_from_static_cohort"),
    )
    @inject
    async def remove_person(
        self,
        request: Req,
        cohort_id: FromPath[int],
        access: FromDishka[Access],
        use_case: FromDishka[RemovePersonFromStaticCohort],
    ) -> Success:
        body = decode_json_body(await request.body(), PersonToRemove)
        await use_case.execute(access.project.id, cohort_id, body.person_id)
        return Success()


async def _update(request: Req, access: Access, cohort_id: int, use_case: UpdateCohort) -> Cohort:
    """Apply the fields and import the CSV, in one transaction.

    Re-imports add persons; a bad CSV, or one for a cohort that is not static, is refused before any write.
    """
    body = await read_cohort_body(request)
    return await use_case.execute(access.project.id, cohort_id, body.fields, body.upload)
