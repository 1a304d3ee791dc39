"""Creating and editing a flag, its history: forms over ``CreateFlag``/``UpdateFlag``, the API's own use cases."""

from __future__ import annotations

from typing import Any, Final

from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect

from flagcore.app.approvals.change_requests import ListChangeRequests
from flagcore.app.flags.actions import CheckFlagStatus, FlagDailyCalls, ListDependentFlags
from flagcore.app.flags.activity import ListFlagActivity
from flagcore.app.flags.create_flag import CreateFlag, CreateFlagCommand
from flagcore.app.flags.queries import GetFlag
from flagcore.app.flags.update_flag import UpdateFlag, UpdateFlagCommand
from flagcore.app.http.auth import UI_PAGE
from flagcore.app.http.ui.change_requests import open_requests
from flagcore.app.http.ui.choices import Choices, FormChoices
from flagcore.app.http.ui.flag_form import (
    OPERATOR_CHOICES,
    PROPERTY_TYPES,
    RUNTIMES,
    FlagForm,
    GroupRow,
    form_of,
    read_form,
)
from flagcore.app.http.ui.flag_list import page_number
from flagcore.app.http.ui.flag_write import FormError, field_of, to_changes
from flagcore.app.http.ui.history import field_rows
from flagcore.app.http.ui.render import render
from flagcore.app.http.ui.session import UI_PREFIX, UiUser
from flagcore.app.http.ui.split import rollout_split
from flagcore.app.http.ui.usage_chart import calls_chart
from flagcore.app.identity.authorize import Access, Authorize
from flagcore.domain.approvals import ApprovalRequiredError, PolicyConflictError
from flagcore.domain.errors import ConflictError, ForbiddenError, InvalidInputError
from flagcore.domain.flags import FeatureFlag, VersionConflictError

Req = Request[Any, Any, Any]
FLAGS: Final = f"{UI_PREFIX}/projects/{{project_id:int}}/flags"
HISTORY_PAGE: Final = 50
POLICY_CONFLICT: Final = (
    "Two approval policies apply to this edit (say, enabling the flag and changing its rollout): "
    "save the two changes separately."
)


def _form_page(
    ui: UiUser,
    access: Access,
    form: FlagForm,
    *,
    choices: Choices,
    flag: FeatureFlag | None,
    errors: dict[str, str] | None = None,
    status: int = 200,
    conflict: FeatureFlag | None = None,
    saved: bool = False,
    extra: dict[str, Any] | None = None,
) -> Response[str]:
    return render(
        "flag_form.html",
        ui_user=ui,
        project=access.project,
        flag=flag,
        form=form.padded(),
        errors=errors or {},
        operators=OPERATOR_CHOICES,
        property_types=PROPERTY_TYPES,
        runtimes=RUNTIMES,
        conflict=conflict,
        latest=form_of(conflict) if conflict is not None else None,
        saved=saved,
        split=rollout_split(form),
        choices=choices,
        status=status,
        **(extra or {}),
    )


class FlagPagesController(Controller):
    path = FLAGS
    include_in_schema = False

    @get("/new", opt=UI_PAGE)
    @inject
    async def new_flag(
        self,
        project_id: FromPath[int],
        ui: FromDishka[UiUser],
        authorize: FromDishka[Authorize],
        choices: FromDishka[FormChoices],
    ) -> Response[Any]:
        access = await ui.project(authorize, project_id)
        found = await choices.execute(access.project.id)
        return _form_page(ui, access, FlagForm(groups=[GroupRow(rollout="100")]), choices=found, flag=None)

    @post("/new", opt=UI_PAGE)
    @inject
    async def create_flag(
        self,
        request: Req,
        project_id: FromPath[int],
        ui: FromDishka[UiUser],
        authorize: FromDishka[Authorize],
        use_case: FromDishka[CreateFlag],
        choices: FromDishka[FormChoices],
    ) -> Response[Any]:
        fields = await ui.form(request)
        access = await ui.project(authorize, project_id)
        found = await choices.execute(access.project.id)
        form = read_form(fields)
        try:
            changes = to_changes(form, None)
            flag = await use_case.execute(
                CreateFlagCommand(project_id=access.project.id, user_id=ui.user.id, fields=changes)
            )
        except FormError as exc:
            return _form_page(ui, access, form, choices=found, flag=None, errors=exc.errors, status=422)
        except InvalidInputError as exc:
            errors = {field_of(exc): exc.detail}
            return _form_page(ui, access, form, choices=found, flag=None, errors=errors, status=422)
        return Redirect(path=f"{UI_PREFIX}/projects/{project_id}/flags/{flag.id}?saved=1", status_code=303)

    @get("/{flag_id:int}", opt=UI_PAGE)
    @inject
    async def edit_flag(
        self,
        request: Req,
        project_id: FromPath[int],
        flag_id: FromPath[int],
        ui: FromDishka[UiUser],
        authorize: FromDishka[Authorize],
        get_flag: FromDishka[GetFlag],
        status: FromDishka[CheckFlagStatus],
        dependents: FromDishka[ListDependentFlags],
        choices: FromDishka[FormChoices],
        requests: FromDishka[ListChangeRequests],
        daily_calls: FromDishka[FlagDailyCalls],
    ) -> Response[Any]:
        access = await ui.project(authorize, project_id, scope="feature_flag:read")
        flag = await get_flag.execute(access.project.id, flag_id)
        extra = {
            "flag_status": await status.execute(access.project.id, flag.id),
            "calls": calls_chart(await daily_calls.execute(access.project.id, flag.key)),
            "dependents": await dependents.execute(access.project.id, flag.id),
            "open_requests": await open_requests(requests, ui, access, flag.id),
        }
        saved = request.query_params.get("saved") == "1"
        found = await choices.execute(access.project.id)
        return _form_page(ui, access, form_of(flag), choices=found, flag=flag, saved=saved, extra=extra)

    @post("/{flag_id:int}", opt=UI_PAGE)
    @inject
    async def update_flag(
        self,
        request: Req,
        project_id: FromPath[int],
        flag_id: FromPath[int],
        ui: FromDishka[UiUser],
        authorize: FromDishka[Authorize],
        get_flag: FromDishka[GetFlag],
        use_case: FromDishka[UpdateFlag],
        choices: FromDishka[FormChoices],
        requests: FromDishka[ListChangeRequests],
    ) -> Response[Any]:
        fields = await ui.form(request)
        access = await ui.project(authorize, project_id)
        stored = await get_flag.execute(access.project.id, flag_id)
        found = await choices.execute(access.project.id)
        form = read_form(fields)
        expected = int(form.version) if form.version.isdigit() else stored.version
        try:
            changes = to_changes(form, stored)
            await use_case.execute(
                UpdateFlagCommand(
                    project_id=access.project.id,
                    flag_id=stored.id,
                    user_id=ui.user.id,
                    changes=changes,
                    expected_version=expected,
                    full_update=True,
                )
            )
        except FormError as exc:
            return _form_page(ui, access, form, choices=found, flag=stored, errors=exc.errors, status=422)
        except VersionConflictError as exc:
            latest = await get_flag.execute(access.project.id, flag_id)
            errors = {"form": exc.detail}
            return _form_page(ui, access, form, choices=found, flag=stored, errors=errors, status=409, conflict=latest)
        except ApprovalRequiredError as exc:
            # Not saved: a policy turned the edit into a change request (or one is open for the same change). A new
            # request holds the edit, so the form shows the flag as it stays; a refused duplicate keeps the edit.
            extra = {"gated": exc, "open_requests": await open_requests(requests, ui, access, stored.id)}
            shown = form if exc.duplicate else form_of(stored)
            status = 409 if exc.duplicate else 202
            return _form_page(ui, access, shown, choices=found, flag=stored, status=status, extra=extra)
        except PolicyConflictError:
            errors = {"form": POLICY_CONFLICT}
            return _form_page(ui, access, form, choices=found, flag=stored, errors=errors, status=400)
        except InvalidInputError as exc:
            errors = {field_of(exc): exc.detail}
            return _form_page(ui, access, form, choices=found, flag=stored, errors=errors, status=422)
        except (ConflictError, ForbiddenError) as exc:
            # Refusals with a reason the user must read (e.g. a key another flag has): the edit stays
            # on the page, unsaved, with the reason above it.
            status = 403 if isinstance(exc, ForbiddenError) else 409
            errors = {"form": exc.detail}
            return _form_page(ui, access, form, choices=found, flag=stored, errors=errors, status=status)
        return Redirect(path=f"{UI_PREFIX}/projects/{project_id}/flags/{stored.id}?saved=1", status_code=303)

    @get("/{flag_id:int}/history", opt=UI_PAGE)
    @inject
    async def history(
        self,
        request: Req,
        project_id: FromPath[int],
        flag_id: FromPath[int],
        ui: FromDishka[UiUser],
        authorize: FromDishka[Authorize],
        get_flag: FromDishka[GetFlag],
        activity: FromDishka[ListFlagActivity],
    ) -> Response[Any]:
        access = await ui.project(authorize, project_id, scope="activity_log:read")
        flag = await get_flag.execute(access.project.id, flag_id)
        page = page_number(request.query_params.get("page"))
        found = await activity.execute(access.project.id, flag_id=flag.id, limit=HISTORY_PAGE, page=page)
        return render(
            "flag_history.html",
            ui_user=ui,
            project=access.project,
            flag=flag,
            entries=found.entries,
            users=found.users,
            total=found.total_count,
            page=page,
            pages=max(1, -(-found.total_count // HISTORY_PAGE)),
            rows=field_rows,
        )
