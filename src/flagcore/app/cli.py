"""The ``flagcore`` command.

``migrate``, ``serve``, ``init``, ``evaluate``, ``quota``, ``manifest``, ``change-requests`` and ``scheduled-changes``.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import multiprocessing
import sys
import threading
from collections.abc import Sequence

import msgspec

from flagcore.app import (
    cli_change_requests,
    cli_conformance,
    cli_manifest,
    cli_quota,
    cli_scheduled_changes,
    cli_seed,
    evaluate_command,
)
from flagcore.app.cli_database import (
    DATABASE_EXIT_CODE,
    database_error_line,
    encryption_key_problem,
    migration_summary,
    serving_database_problem,
)
from flagcore.app.identity.bootstrap import Bootstrap, BootstrapCommand, BootstrapResult, credentials_text
from flagcore.app.identity.sign_in import EnsurePassword
from flagcore.app.observability.multiprocess import multiprocess_metrics
from flagcore.app.settings import Settings, SettingsError, load_settings
from flagcore.domain.errors import InvalidInputError
from flagcore.domain.identity.sign_in import validate_password
from flagcore.ports.errors import BackendUnavailableError


def main(argv: Sequence[str] | None = None) -> None:
    threading.excepthook = _quiet_closed_loop
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        code = args.handler(args)
    except SettingsError as exc:
        print(f"flagcore: configuration error: {exc}", file=sys.stderr)
        code = 2
    except BackendUnavailableError as exc:  # the database, named with its setting: one line, no traceback
        print(database_error_line(args.command, load_settings().database_url, exc), file=sys.stderr)
        code = DATABASE_EXIT_CODE
    sys.exit(code)


def _quiet_closed_loop(args: threading.ExceptHookArgs) -> None:
    # After a failed SQLite connect, aiosqlite's worker thread may still hand a result to the event loop that
    # asyncio.run already closed; the command has reported the failure in its one line, so this is noise.
    if isinstance(args.exc_value, RuntimeError) and str(args.exc_value) == "Event loop is closed":
        return
    threading.__excepthook__(args)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="flagcore", description="Self-hosted, PostHog-compatible feature flags.")
    sub = parser.add_subparsers(dest="command", required=True)
    migrate = sub.add_parser("migrate", help="apply database migrations (idempotent)")
    migrate.set_defaults(handler=_migrate)
    serve = sub.add_parser("serve", help="serve the HTTP API with granian")
    serve.add_argument("--host", help="address to bind (default FLAGCORE_HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default FLAGCORE_PORT or 8000)")
    serve.add_argument("--workers", type=int, help="worker processes (default FLAGCORE_WORKERS or 1)")
    cli_seed.add_serve_options(serve)
    serve.set_defaults(handler=_serve)
    init = sub.add_parser("init", help="create the default organization, project and admin; mint a personal API key")
    init.add_argument("--json", action="store_true", help="print one JSON object with the credentials")
    init.add_argument("--if-new", action="store_true", help="do nothing if already initialised (used by make run)")
    init.add_argument("--organization", metavar="NAME", help="the organization to find or create by name")
    init.add_argument("--project", metavar="NAME", help="the project of that organization to find or create by name")
    init.add_argument("--email", metavar="EMAIL", help="the user to find or create, made a member of the organization")
    init.add_argument(
        "--password", metavar="PW", help="that user's admin UI password (default: generated once, printed once)"
    )
    init.set_defaults(handler=_init)
    evaluate_command.add_parser(sub)
    cli_quota.add_parser(sub)
    cli_manifest.add_parser(sub)
    cli_change_requests.add_parser(sub)
    cli_scheduled_changes.add_parser(sub)
    cli_seed.add_parser(sub)
    cli_conformance.add_parser(sub)
    return parser


def _migrate(_: argparse.Namespace) -> int:
    settings = load_settings()
    if settings.uses_memory_storage:
        print("flagcore: memory storage needs no migrations")
        return 0
    from flagcore.adapters.sqlalchemy.migrate import run_migrations  # noqa: PLC0415 - keeps `--help` fast

    print(migration_summary(run_migrations(settings.database_url), settings.database_url))
    return 0


def _serve(args: argparse.Namespace) -> int:
    cli_seed.apply_serve_options(args)
    settings = load_settings()
    host = args.host or settings.host
    port = args.port or settings.port
    workers = args.workers or settings.workers
    if settings.uses_memory_storage and workers > 1:
        print("flagcore: memory storage cannot be shared by several workers; use --workers 1", file=sys.stderr)
        return 2
    problem = asyncio.run(serving_database_problem(settings))
    if problem is not None:
        print(problem, file=sys.stderr)
        return DATABASE_EXIT_CODE
    problem = cli_seed.seed_problem(settings)  # a bad seed stops start-up here, with its file, path and reason
    if problem is not None:
        print(problem, file=sys.stderr)
        return 2
    problem = asyncio.run(encryption_key_problem(settings))
    if problem is not None:
        print(problem, file=sys.stderr)
        return 2
    if settings.uses_memory_storage:
        _preload_app()
    print(f"flagcore: serving on http://{host}:{port} with {workers} worker(s)")
    with multiprocess_metrics(workers):  # several workers: one metrics directory they all write, fresh each start
        _granian(host, port, workers, settings)
    return 0


def _preload_app() -> None:
    """Import the app in this process, with the garbage collector paused, and freeze what the import allocated.

    The worker granian forks inherits the modules: one import, not two. An import allocates much and frees almost
    nothing, so collections during it are wasted (about a tenth of its CPU); frozen before the fork, the imported
    objects stay out of the worker's collections too, and their pages shared (the gc module's advice for forking
    servers). Only for memory storage (one worker: the SQL servers' workers import the app themselves, as they
    always have), and only when granian forks: spawned workers would import the app again.
    """
    if multiprocessing.get_start_method() != "fork":
        return
    gc.disable()
    try:
        import flagcore.app.main  # noqa: F401, PLC0415
    finally:
        gc.freeze()
        gc.enable()


def _granian(host: str, port: int, workers: int, settings: Settings) -> None:
    from granian import Granian  # noqa: PLC0415
    from granian.constants import Interfaces, Loops  # noqa: PLC0415

    Granian(
        target="flagcore.app.main:app_factory",
        factory=True,
        address=host,
        port=port,
        workers=workers,
        interface=Interfaces.ASGI,
        loop=Loops.auto,
        log_level=settings.log_level,  # type: ignore[arg-type]  # same names as granian's LogLevels
    ).serve()


def _init(args: argparse.Namespace) -> int:
    settings = load_settings()
    if settings.uses_memory_storage:
        # Nothing to initialise ahead: each serving process starts empty and bootstraps itself.
        print("flagcore: memory storage: `flagcore serve` creates the defaults and prints their credentials")
        return 0
    try:
        if args.password is not None:  # before anything is created: a refused password leaves nothing behind
            validate_password(args.password)
        result = asyncio.run(_bootstrap(settings, _bootstrap_command(args), args.password))
    except InvalidInputError as exc:
        print(f"flagcore init: {exc.attr or 'input'}: {exc.detail}", file=sys.stderr)
        return 2
    if args.json:
        print(msgspec.json.encode(msgspec.structs.replace(result, created=msgspec.UNSET)).decode())
    elif result.personal_api_key is None:
        print(
            f"flagcore: already initialised (project {result.project_id}, project API key {result.project_api_key}).\n"
            "          Run `flagcore init` to mint a new personal API key."
        )
    else:
        print(credentials_text(result))
    return 0


def _bootstrap_command(args: argparse.Namespace) -> BootstrapCommand:
    # Options left out keep today's defaults, so `flagcore init` without them behaves as it always has.
    named = {
        "organization_name": args.organization,
        "project_name": args.project,
        "admin_email": args.email,
    }
    return BootstrapCommand(only_if_new=args.if_new, **{k: v for k, v in named.items() if v is not None})


async def _bootstrap(settings: Settings, cmd: BootstrapCommand, password: str | None = None) -> BootstrapResult:
    from dishka import make_async_container  # noqa: PLC0415

    from flagcore.app.ioc import get_providers  # noqa: PLC0415

    # The same graph as the web app's, without its HTTP edge: one composition root for both.
    container = make_async_container(*get_providers(settings), context={Settings: settings})
    try:
        bootstrap = await container.get(Bootstrap)
        result = await bootstrap.execute(cmd)
        if result.user_id is None:  # --if-new on an initialised installation: nothing to set
            return result
        generated = await (await container.get(EnsurePassword)).execute(result.user_id, password)
        return msgspec.structs.replace(result, password=generated)
    finally:
        await container.close()
