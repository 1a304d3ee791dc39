"""Public remote-config routes posthog-js loads (spec §9): ``/array/{token}/config``, ``config.js``, ``array.js``.

No authentication: the token is the project's public key. ``array.js`` is posthog-js's bundle followed by the
config script; flagcore does not ship posthog-js, so it serves the file ``FLAGCORE_POSTHOG_JS_PATH`` names.
"""

from __future__ import annotations

from typing import Final

import anyio
from dishka.integrations.litestar import FromDishka, inject
from litestar import Response, get
from litestar.params import FromPath

from flagcore.app.flags.public_config import GetPublicConfig, RemoteConfig, config_script
from flagcore.app.http.auth import PUBLIC_ROUTE
from flagcore.app.http.routes import operation
from flagcore.app.settings import Settings
from flagcore.domain.errors import NotFoundError

_VARY: Final = {"Vary": "Origin, Referer"}
_JS: Final = "application/javascript"
_NOT_CACHED: Final = {**_VARY, "Cache-Control": "no-cache"}


class BundleNotConfiguredError(NotFoundError):
    def __init__(self) -> None:
        super().__init__(
            "posthog-js is not bundled with flagcore: set FLAGCORE_POSTHOG_JS_PATH to a posthog-js array.js file "
            "(e.g. node_modules/posthog-js/dist/array.js) to serve it here."
        )


@get("/array/{token:str}/config", opt=PUBLIC_ROUTE, operation_id=operation("remote_config"), tags=["remote_config"])
@inject
async def public_config(token: FromPath[str], use_case: FromDishka[GetPublicConfig]) -> Response[RemoteConfig]:
    return Response(await use_case.execute(token), headers=_VARY)


@get(
    "/array/{token:str}/config.js",
    opt=PUBLIC_ROUTE,
    operation_id=operation("remote_config_js"),
    tags=["remote_config"],
    media_type=_JS,
)
@inject
async def public_config_js(token: FromPath[str], use_case: FromDishka[GetPublicConfig]) -> Response[str]:
    return Response(config_script(await use_case.execute(token)), media_type=_JS, headers=_VARY)


@get(
    "/array/{token:str}/array.js",
    opt=PUBLIC_ROUTE,
    operation_id=operation("remote_config_array_js"),
    tags=["remote_config"],
    media_type=_JS,
)
@inject
async def public_array_js(
    token: FromPath[str], use_case: FromDishka[GetPublicConfig], settings: FromDishka[Settings]
) -> Response[str]:
    script = config_script(await use_case.execute(token))
    if settings.posthog_js_path is None:
        raise BundleNotConfiguredError
    try:
        bundle = await anyio.Path(settings.posthog_js_path).read_text(encoding="utf-8")
    except OSError:
        raise BundleNotConfiguredError from None
    return Response(f"{bundle}\n{script}", media_type=_JS, headers=_NOT_CACHED)
