"""Route sets: groups of routes mountable under several prefixes, each with its own way of naming the project.

The project flag routes are one set: mounted under ``/api/projects/{project_id}/feature_flags`` they take the
project from the path; mounted again (the legacy ``/api/feature_flag/`` set) they take it from the key owner's
current project or ``?token=``. Operation ids stay unique across mounts: every handler names its operation with
:func:`operation`, which prefixes the set's ``operation_prefix``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from litestar import Router
from litestar.handlers import HTTPRouteHandler
from litestar.types import ControllerRouterHandler, Method, OperationIDCreator
from litestar.types.internal_types import PathParameterDefinition

from flagcore.app.http.auth import PATH_PROJECT, PROJECT_REF

#: Route-set option: prepended to the operation id of every route of the set.
OPERATION_PREFIX: Final = "operation_prefix"


def operation(name: str, *, per_method: bool = False) -> OperationIDCreator:
    """An operation id that carries the mount's prefix (and, for a handler of several methods, the method)."""

    def create(handler: HTTPRouteHandler, method: Method, _path: list[str | PathParameterDefinition]) -> str:
        prefix = str(handler.opt.get(OPERATION_PREFIX, ""))
        return f"{prefix}{name}_{method.lower()}" if per_method else f"{prefix}{name}"

    return create


def route_set(
    path: str,
    handlers: Sequence[ControllerRouterHandler],
    *,
    project_ref: str = PATH_PROJECT,
    operation_prefix: str = "",
) -> Router:
    """``handlers`` mounted under ``path``, naming their project by ``project_ref`` (``path`` or ``legacy``)."""
    return Router(
        path=path,
        route_handlers=list(handlers),
        opt={PROJECT_REF: project_ref, OPERATION_PREFIX: operation_prefix},
    )
