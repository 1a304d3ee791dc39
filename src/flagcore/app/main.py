"""The application factory: ``create_app()`` builds the Litestar app with its dishka container."""

from __future__ import annotations

from importlib.metadata import version

from dishka import Provider, make_async_container
from dishka.integrations.litestar import LitestarProvider, setup_dishka
from litestar import Litestar
from litestar.types import ControllerRouterHandler

from flagcore.app.flags.encryption_check import CheckEncryptionKeys
from flagcore.app.http.auth import LEGACY_PROJECT
from flagcore.app.http.capture.endpoint import capture_batch, capture_event
from flagcore.app.http.errors import EXCEPTION_HANDLERS
from flagcore.app.http.evaluation.definitions import flag_definitions, project_local_evaluation
from flagcore.app.http.evaluation.endpoint import decide, flags
from flagcore.app.http.evaluation.remote_config_public import public_array_js, public_config, public_config_js
from flagcore.app.http.headers import ResponseHeaders
from flagcore.app.http.management.cohorts import CohortController
from flagcore.app.http.management.flag_actions import FlagActionsController
from flagcore.app.http.management.flag_cohort_actions import FlagCohortActionsController
from flagcore.app.http.management.flag_custom_actions import FlagCustomActionsController
from flagcore.app.http.management.flag_value import FlagValueController
from flagcore.app.http.management.flags import FeatureFlagController
from flagcore.app.http.management.groups import GroupTypeController
from flagcore.app.http.management.organization_flags import OrganizationFlagController
from flagcore.app.http.management.persons import GroupController, PersonController
from flagcore.app.http.management.remote_config import remote_config
from flagcore.app.http.openapi import openapi_config
from flagcore.app.http.openfeature.manifest import ManifestController
from flagcore.app.http.openfeature.ofrep import ofrep_router
from flagcore.app.http.operations.health import health
from flagcore.app.http.operations.status import status
from flagcore.app.http.providers import HttpProvider
from flagcore.app.http.quota.routes import QuotaController
from flagcore.app.http.routes import route_set
from flagcore.app.http.tenants.members import MemberController
from flagcore.app.http.tenants.organizations import OrganizationController
from flagcore.app.http.tenants.projects import ProjectController
from flagcore.app.http.tenants.users import CurrentUserController, PersonalKeyController
from flagcore.app.identity.bootstrap import Bootstrap, BootstrapCommand, credentials_text
from flagcore.app.ioc import SnapshotBackground, get_providers
from flagcore.app.observability.setup import configure_logs, install_observability
from flagcore.app.persons.worker import IngestionWorker
from flagcore.app.quota.accounting import UsageAccounting
from flagcore.app.settings import Settings, load_settings

PROJECTS = "/api/projects/{project_id:str}"
LEGACY_FLAGS = "/api/feature_flag"


def project_flag_routes() -> list[ControllerRouterHandler]:
    """The project flag route set: management, actions and the project's definitions feed."""
    return [
        FeatureFlagController,
        FlagActionsController,
        FlagCustomActionsController,
        FlagCohortActionsController,
        project_local_evaluation,
        remote_config,
    ]


def tenant_routes() -> list[ControllerRouterHandler]:
    """Organizations, projects and their keys, members, personal API keys and the current user."""
    return [
        OrganizationController,
        MemberController,
        route_set(PROJECTS, [ProjectController]),
        CurrentUserController,
        PersonalKeyController,
    ]


def route_handlers() -> list[ControllerRouterHandler]:
    """Every route of the app, by route set."""
    return [
        health,
        status,
        route_set(f"{PROJECTS}/feature_flags", project_flag_routes()),
        route_set(f"{PROJECTS}/groups_types", [GroupTypeController]),
        *tenant_routes(),
        route_set(f"{PROJECTS}/flag_value", [FlagValueController]),
        OrganizationFlagController,
        public_config,
        public_config_js,
        public_array_js,
        QuotaController,
        route_set(f"{PROJECTS}/cohorts", [CohortController]),
        route_set(f"{PROJECTS}/persons", [PersonController]),
        route_set(f"{PROJECTS}/groups", [GroupController]),
        flag_definitions,
        # PostHog's legacy flag routes: the same set, the project being the key owner's current one or ?token='s.
        route_set(LEGACY_FLAGS, project_flag_routes(), project_ref=LEGACY_PROJECT, operation_prefix="legacy_"),
        flags,
        decide,
        ManifestController,
        ofrep_router(),
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

    async def check_encryption_keys() -> None:
        await (await container.get(CheckEncryptionKeys)).execute()

    async def start_snapshots() -> None:
        # Built at start-up, not on the first request: the S3 bucket is checked and the invalidation listener
        # subscribes before anything is served. It stops when the container closes.
        await container.get(SnapshotBackground)
        await container.get(UsageAccounting)  # its flush task too, outside any request (see UsageAccounting.start)
        # Captured events are applied by this worker; the container drains and stops it at shutdown.
        (await container.get(IngestionWorker)).start()

    app = Litestar(
        route_handlers=route_handlers(),
        exception_handlers=EXCEPTION_HANDLERS,
        openapi_config=openapi_config(version=version("flagcore")),
        on_startup=[bootstrap_memory_storage, check_encryption_keys, start_snapshots],
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
