"""The application factory: ``create_app()`` builds the Litestar app with its dishka container."""

from __future__ import annotations

from dishka import Provider, make_async_container
from dishka.integrations.litestar import LitestarProvider, setup_dishka
from litestar import Litestar
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.types import ControllerRouterHandler

from flagcore.app.http.capture.endpoint import capture_batch, capture_event
from flagcore.app.http.errors import EXCEPTION_HANDLERS
from flagcore.app.http.evaluation.definitions import (
    flag_definitions,
    legacy_local_evaluation,
    project_local_evaluation,
)
from flagcore.app.http.evaluation.endpoint import decide, flags
from flagcore.app.http.headers import ResponseHeaders
from flagcore.app.http.management.cohorts import CohortController
from flagcore.app.http.management.flag_actions import FlagActionsController
from flagcore.app.http.management.flags import FeatureFlagController
from flagcore.app.http.management.groups import GroupTypeController
from flagcore.app.http.management.persons import GroupController, PersonController
from flagcore.app.http.operations.health import health
from flagcore.app.http.operations.status import status
from flagcore.app.http.providers import HttpProvider
from flagcore.app.http.routes import route_set
from flagcore.app.identity.bootstrap import Bootstrap, BootstrapCommand, credentials_text
from flagcore.app.ioc import SnapshotBackground, get_providers
from flagcore.app.observability.setup import configure_logs, install_observability
from flagcore.app.persons.worker import IngestionWorker
from flagcore.app.settings import Settings, load_settings

PROJECTS = "/api/projects/{project_id:str}"


def project_flag_routes() -> list[ControllerRouterHandler]:
    """The project flag route set: management, actions and the project's definitions feed."""
    return [FeatureFlagController, FlagActionsController, project_local_evaluation]


def route_handlers() -> list[ControllerRouterHandler]:
    """Every route of the app, by route set."""
    return [
        health,
        status,
        route_set(f"{PROJECTS}/feature_flags", project_flag_routes()),
        route_set(f"{PROJECTS}/groups_types", [GroupTypeController]),
        route_set(f"{PROJECTS}/cohorts", [CohortController]),
        route_set(f"{PROJECTS}/persons", [PersonController]),
        route_set(f"{PROJECTS}/groups", [GroupController]),
        flag_definitions,
        legacy_local_evaluation,
        flags,
        decide,
        capture_batch,
        capture_event,
    ]


def create_app(*overrides: Provider, settings: Settings | None = None) -> Litestar:
    """Build the app. Providers in ``overrides`` come last and so replace the defaults (tests, embedding)."""
    settings = settings or load_settings()
    configure_logs(settings)
    container = make_async_container(
        *get_providers(settings), HttpProvider(), LitestarProvider(), *overrides, context={Settings: settings}
    )

    async def bootstrap_memory_storage() -> None:
        # Memory storage starts empty in every process: create the defaults and show their credentials, once.
        if settings.uses_memory_storage:
            result = await (await container.get(Bootstrap)).execute(BootstrapCommand(only_if_new=True))
            if result.created:  # not when the embedding application (a test) seeded the store itself
                print(credentials_text(result), flush=True)  # noqa: T201 - the operator needs these keys to start

    async def start_snapshots() -> None:
        # Built at start-up, not on the first request: the S3 bucket is checked and the invalidation listener
        # subscribes before anything is served. It stops when the container closes.
        await container.get(SnapshotBackground)
        # Captured events are applied by this worker; the container drains and stops it at shutdown.
        (await container.get(IngestionWorker)).start()

    app = Litestar(
        route_handlers=route_handlers(),
        exception_handlers=EXCEPTION_HANDLERS,
        openapi_config=OpenAPIConfig(
            title="flagcore",
            version="0.1.0",
            path="/schema",
            render_plugins=[SwaggerRenderPlugin()],
        ),
        on_startup=[bootstrap_memory_storage, start_snapshots],
        on_shutdown=[container.close],
        debug=settings.debug,
    )
    setup_dishka(container, app)
    install_observability(app, container, settings)
    # Outermost, as Litestar places its own CORS middleware: covers 404/405 too and answers preflights first.
    app.asgi_handler = ResponseHeaders(app.asgi_handler, allowed_origins=settings.allowed_origins)
    return app


def app_factory() -> Litestar:
    """Entry point for ASGI servers (``granian --factory flagcore.app.main:app_factory``)."""
    return create_app()
