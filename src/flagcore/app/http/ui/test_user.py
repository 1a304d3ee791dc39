"""The "test a user" page: a distinct id and properties in, each flag's value and reason out (the /flags engine)."""

from __future__ import annotations

from typing import Any

import msgspec
from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath

from flagcore.app.evaluation.preview_flags import PreviewFlags, PreviewFlagsCommand
from flagcore.app.http.auth import UI_PAGE
from flagcore.app.http.ui.render import render
from flagcore.app.http.ui.session import UI_PREFIX, UiUser
from flagcore.app.identity.authorize import Authorize
from flagcore.domain.errors import InvalidInputError

Req = Request[Any, Any, Any]


def _object(raw: str, field: str, errors: dict[str, str]) -> dict[str, Any]:
    if not raw.strip():
        return {}
    try:
        value = msgspec.json.decode(raw)
    except msgspec.DecodeError:
        errors[field] = 'Not valid JSON: write an object such as {"email": "a@example.com"}.'
        return {}
    if not isinstance(value, dict):
        errors[field] = "Write a JSON object ({...})."
        return {}
    return value


class TestUserController(Controller):
    __test__ = False  # a page, not a pytest class
    path = f"{UI_PREFIX}/projects/{{project_id:int}}/test-user"
    include_in_schema = False

    @get("/", opt=UI_PAGE)
    @inject
    async def form(
        self, project_id: FromPath[int], ui: FromDishka[UiUser], authorize: FromDishka[Authorize]
    ) -> Response[Any]:
        access = await ui.project(authorize, project_id, scope="feature_flag:read")
        return render("test_user.html", ui_user=ui, project=access.project, values={}, errors={}, results=None)

    @post("/", opt=UI_PAGE)
    @inject
    async def evaluate(
        self,
        request: Req,
        project_id: FromPath[int],
        ui: FromDishka[UiUser],
        authorize: FromDishka[Authorize],
        use_case: FromDishka[PreviewFlags],
    ) -> Response[Any]:
        fields = await ui.form(request)
        access = await ui.project(authorize, project_id, scope="feature_flag:read")
        values = {name: str(fields.get(name, "")) for name in ("distinct_id", "properties", "groups")}
        errors: dict[str, str] = {}
        properties = _object(values["properties"], "properties", errors)
        groups = _object(values["groups"], "groups", errors)
        results = None
        if not errors:
            try:
                results = await use_case.execute(
                    PreviewFlagsCommand(
                        project=access.project,
                        distinct_id=values["distinct_id"].strip(),
                        person_properties=properties,
                        groups={str(k): str(v) for k, v in groups.items()},
                    )
                )
            except InvalidInputError as exc:
                errors[exc.attr or "distinct_id"] = exc.detail
        status = 422 if errors else 200
        return render(
            "test_user.html",
            ui_user=ui,
            project=access.project,
            values=values,
            errors=errors,
            results=results,
            status=status,
        )
