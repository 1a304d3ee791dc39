"""Every page controller of the admin UI (the router adds its static files and error pages)."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from flagcore.app.http.ui.change_requests import ChangeRequestsController
from flagcore.app.http.ui.flag_list import FlagListController
from flagcore.app.http.ui.flag_pages import FlagPagesController
from flagcore.app.http.ui.home import HomeController
from flagcore.app.http.ui.keys import PersonalKeysController, ProjectKeysController
from flagcore.app.http.ui.members import MembersController
from flagcore.app.http.ui.sign_in import SignInController
from flagcore.app.http.ui.test_user import TestUserController


def ui_pages() -> list[ControllerRouterHandler]:
    return [
        SignInController,
        HomeController,
        FlagListController,
        FlagPagesController,
        ChangeRequestsController,
        TestUserController,
        MembersController,
        PersonalKeysController,
        ProjectKeysController,
    ]
