"""Every page controller of the admin UI (the router adds its static files and error pages)."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from flagcore.app.http.ui.flag_list import FlagListController
from flagcore.app.http.ui.home import HomeController
from flagcore.app.http.ui.sign_in import SignInController


def ui_pages() -> list[ControllerRouterHandler]:
    return [SignInController, HomeController, FlagListController]
