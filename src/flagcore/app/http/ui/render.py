"""Rendering the admin UI's pages: one Jinja environment (autoescaped) over the package's templates."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Final

from litestar import MediaType, Response

from flagcore.app.http.ui.change_view import ACTIONS
from flagcore.app.http.ui.session import CSRF_FIELD, UI_PREFIX, UiUser

if TYPE_CHECKING:
    from jinja2 import Environment

TEMPLATES: Final = Path(__file__).parent / "templates"
STATIC: Final = Path(__file__).parent / "static"
#: Bumped with the assets, so browsers may cache them for a long time (they are served with max-age).
ASSET_VERSION: Final = "5"


@cache
def _environment() -> Environment:
    # Made (and Jinja imported) by the first page rendered, not at start-up: most servers never render one.
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape  # noqa: PLC0415

    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(ui=UI_PREFIX, csrf_field=CSRF_FIELD, asset_version=ASSET_VERSION, action_labels=ACTIONS)
    return env


def render(template: str, *, ui_user: UiUser | None, status: int = 200, **context: object) -> Response[str]:
    """The page as an HTML response; ``ui_user`` supplies the header (who is signed in) and the CSRF token."""
    html = (
        _environment()
        .get_template(template)
        .render(
            me=ui_user.user if ui_user is not None else None,
            csrf=ui_user.csrf if ui_user is not None else str(context.pop("csrf", "")),
            **context,
        )
    )
    return Response(content=html, status_code=status, media_type=MediaType.HTML)
