"""The UI's start page: the user's organizations and their projects, to pick one."""

from __future__ import annotations

from typing import Any

from dishka.integrations.litestar import FromDishka, inject
from litestar import Controller, Response, get

from flagcore.app.http.auth import UI_PAGE
from flagcore.app.http.ui.render import render
from flagcore.app.http.ui.session import UI_PREFIX, UiUser
from flagcore.app.tenants.organizations import ListOrganizations


class HomeController(Controller):
    path = UI_PREFIX
    include_in_schema = False

    @get("/", opt=UI_PAGE)
    @inject
    async def home(self, ui: FromDishka[UiUser], organizations: FromDishka[ListOrganizations]) -> Response[Any]:
        found = await organizations.execute(ui.user_access)
        return render("home.html", ui_user=ui, organizations=found)
