"""The application factory: ``create_app()`` builds the Litestar app with its dishka container."""

from __future__ import annotations

# First: Litestar without advanced-alchemy (see the module's docstring), before dishka's integration imports Litestar.
import flagcore.app.http.litestar_import  # noqa: F401

# isort: split
import gc
import os
import sys
from importlib.metadata import version

import msgspec
from dishka import Provider, make_async_container
from dishka.integrations.litestar import LitestarProvider, setup_dishka
from litestar import Litestar
from litestar.types import ControllerRouterHandler

from flagcore.app.approvals.expiry import ChangeRequestExpiryTask
from flagcore.app.flags.encryption_check import CheckEncryptionKeys
from flagcore.app.http.approvals.change_requests import ChangeRequestController
from flagcore.app.http.approvals.policies import ApprovalPolicyController
from flagcore.app.http.auth import LEGACY_PROJECT
from flagcore.app.http.capture.endpoint import capture_batch, capture_event
from flagcore.app.http.errors import EXCEPTION_HANDLERS
from flagcore.app.http.evaluation.definitions import flag_definitions, project_local_evaluation
from flagcore.app.http.evaluation.endpoint import decide, flags
from flagcore.app.http.evaluation.remote_config_public import public_array_js, public_config, public_config_js
from flagcore.app.http.fast_paths import FastPaths
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
from flagcore.app.http.management.scheduled_changes import ScheduledChangeController
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
from flagcore.app.http.ui.pages import ui_pages
from flagcore.app.http.ui.router import ui_router
from flagcore.app.identity.bootstrap import Bootstrap, BootstrapCommand, credentials_text
from flagcore.app.identity.sign_in import EnsurePassword
from flagcore.app.ioc import SnapshotBackground, get_providers
from flagcore.app.observability.setup import configure_logs, install_observability
from flagcore.app.persons.worker import IngestionWorker
from flagcore.app.quota.accounting import UsageAccounting
from flagcore.app.scheduled_changes.worker import ScheduledChangeWorker
from flagcore.app.seeding.compose import apply_seed, world_text
from flagcore.app.seeding.load import SeedError, load_seed_file
from flagcore.app.settings import Settings, load_settings

PROJECTS = "/api/projects/{project_id:str}"
#: PostHog's older name for a project's routes; approvals are mounted under both (marked deprecated there).
ENVIRONMENTS = "/api/environments/{project_id:str}"
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


def approval_routes() -> list[ControllerRouterHandler]:
    """Change requests and approval policies, under ``/api/projects/{id}/`` and ``/api/environments/{id}/``."""
    return [
        route_set(f"{prefix}/{name}", [controller], operation_prefix=op_prefix)
        for prefix, op_prefix in ((PROJECTS, ""), (ENVIRONMENTS, "environments_"))
        for name, controller in (
            ("change_requests", ChangeRequestController),
            ("approval_policies", ApprovalPolicyController),
        )
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
        route_set(f"{PROJECTS}/scheduled_changes", [ScheduledChangeController]),
        route_set(f"{PROJECTS}/persons", [PersonController]),
        route_set(f"{PROJECTS}/groups", [GroupController]),
        *approval_routes(),
        flag_definitions,
        # PostHog's legacy flag routes: the same set, the project being the key owner's current one or ?token='s.
        route_set(LEGACY_FLAGS, project_flag_routes(), project_ref=LEGACY_PROJECT, operation_prefix="legacy_"),
        flags,
        decide,
        ManifestController,
        ofrep_router(),
        capture_batch,
        capture_event,
        # The admin UI (/ui/): server-rendered pages over the same use cases, left out of the API document.
        ui_router(ui_pages()),
    ]


def create_app(*overrides: Provider, settings: Settings | None = None, exit_on_seed_error: bool = False) -> Litestar:
    """Build the app. Providers in ``overrides`` come last and so replace the defaults (tests, embedding).

    ``exit_on_seed_error``: a seed that breaks a rule ends the process (a served worker) instead of raising.
    """
    settings = settings or load_settings()
    configure_logs(settings)
    container = make_async_container(
        *get_providers(settings), HttpProvider(), LitestarProvider(), *overrides, context={Settings: settings}
    )

    async def bootstrap_memory_storage() -> None:
        if settings.seed is not None:  # a disposable server: everything comes from the seed file
            try:
                world = await apply_seed(container, load_seed_file(settings.seed), file=settings.seed)
            except SeedError as exc:
                if not exit_on_seed_error:
                    raise
                # A served process: one line naming file, path and reason instead of a lifespan traceback.
                print(f"flagcore: {exc}", file=sys.stderr, flush=True)  # noqa: T201
                os._exit(2)
            print(world_text(world), flush=True)  # noqa: T201 - the keys the seed fixed (or minted)
            return
        # Memory storage starts empty in every process: create the defaults and show their credentials, once.
        if settings.uses_memory_storage:
            result = await (await container.get(Bootstrap)).execute(BootstrapCommand(only_if_new=True))
            if result.created and result.user_id is not None:  # not when the embedding application seeded the store
                password = await (await container.get(EnsurePassword)).execute(result.user_id, settings.ui_password)
                result = msgspec.structs.replace(result, password=password)
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
        # Change requests past their expiry are expired on a schedule (FLAGCORE_CHANGE_REQUEST_EXPIRY_S).
        (await container.get(ChangeRequestExpiryTask)).start()

        # Due scheduled changes are run by every instance (each change once); stopped when the container closes.
        (await container.get(ScheduledChangeWorker)).start()

    app = Litestar(
        route_handlers=route_handlers(),
        exception_handlers=EXCEPTION_HANDLERS,
        openapi_config=openapi_config(version=version("flagcore")),
        on_startup=[bootstrap_memory_storage, check_encryption_keys, start_snapshots],
        on_shutdown=[container.close],
        debug=settings.debug,
    )
    setup_dishka(container, app)
    # In front of dishka's per-request container and Litestar's router, for /flags and /decide only.
    app.asgi_handler = FastPaths(app.asgi_handler)
    install_observability(app, container, settings)
    # Outermost, as Litestar places its own CORS middleware: covers 404/405 too and answers preflights first.
    app.asgi_handler = ResponseHeaders(app.asgi_handler, allowed_origins=settings.allowed_origins)
    return app


def app_factory() -> Litestar:
    """Entry point for ASGI servers (``granian --factory flagcore.app.main:app_factory``)."""
    # What is allocated so far (the imported modules, mostly) lives as long as the process: out of the collector's
    # sight, each full collection no longer walks it again. Applying a seed of 1,000 flags allocates enough to run
    # several; frozen, it takes about 60% of the CPU time (docs/performance.md). Nothing is collectable here (a
    # gc.collect() first found nothing and cost 40 ms), so freezing keeps no garbage alive.
    gc.freeze()
    return create_app(exit_on_seed_error=True)
