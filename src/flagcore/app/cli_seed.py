"""``flagcore seed export|load|check`` and the seed options of ``flagcore serve`` (``--memory --seed --now``)."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

import msgspec

from flagcore.app.seeding.load import SeedError, load_seed_file
from flagcore.app.settings import MEMORY_DATABASE_URL, Settings, load_settings
from flagcore.domain.identity import ProjectNotFoundError


def add_serve_options(serve: argparse.ArgumentParser) -> None:
    serve.add_argument(
        "--memory", action="store_true", help="keep everything in memory (FLAGCORE_DATABASE_URL=memory://)"
    )
    serve.add_argument("--seed", metavar="FILE", help="load this seed file at start-up (FLAGCORE_SEED; needs --memory)")
    serve.add_argument("--now", metavar="INSTANT", help="a fixed clock, ISO 8601 (FLAGCORE_NOW)")


def apply_serve_options(args: argparse.Namespace) -> None:
    """The options as the environment the serving processes read their settings from."""
    if args.memory:
        os.environ["FLAGCORE_DATABASE_URL"] = MEMORY_DATABASE_URL
    if args.seed:
        os.environ["FLAGCORE_SEED"] = str(Path(args.seed).resolve())
    if args.now:
        os.environ["FLAGCORE_NOW"] = args.now


def seed_problem(settings: Settings) -> str | None:
    """Why the configured seed file cannot be read as a seed, or None.

    The rules of the use cases are checked when the serving process applies it (a failure there stops it the same
    way); checking them here too would apply the seed twice.
    """
    if settings.seed is None:
        return None
    try:
        load_seed_file(settings.seed)
    except SeedError as exc:
        return f"flagcore: {exc}"
    return None


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    seed = sub.add_parser("seed", help="seed files: export a project, load one into the database, check one")
    actions = seed.add_subparsers(dest="seed_command", required=True)
    export = actions.add_parser("export", help="write a project of the configured database as a seed file")
    export.add_argument("--project", type=int, required=True, metavar="ID")
    export.add_argument("--output", "-o", metavar="FILE", help="write here (default: standard output)")
    export.add_argument(
        "--with-test-keys", action="store_true", help="mint test keys instead of placeholders (secrets never leave)"
    )
    export.set_defaults(handler=_export)
    load = actions.add_parser("load", help="apply a seed file to the configured database, once")
    load.add_argument("file", metavar="FILE")
    load.set_defaults(handler=_load)
    check = actions.add_parser("check", help="apply a seed file to a throwaway memory store and report")
    check.add_argument("file", metavar="FILE")
    check.set_defaults(handler=_check)


def _export(args: argparse.Namespace) -> int:
    from flagcore.app.seeding.export import encode_seed  # noqa: PLC0415

    try:
        seed = asyncio.run(_exported(load_settings(), args.project, test_keys=args.with_test_keys))
    except ProjectNotFoundError:
        print(f"flagcore seed export: no project {args.project}", file=sys.stderr)
        return 1
    data = encode_seed(seed)
    if args.output:
        Path(args.output).write_bytes(data)
    else:
        sys.stdout.buffer.write(data)
    return 0


async def _exported(settings: Settings, project_id: int, *, test_keys: bool) -> dict[str, object]:
    from dishka import make_async_container  # noqa: PLC0415

    from flagcore.app.ioc import get_providers  # noqa: PLC0415
    from flagcore.app.seeding.export import ExportSeed  # noqa: PLC0415
    from flagcore.ports.cohorts import CohortRepo  # noqa: PLC0415
    from flagcore.ports.flags import FlagRepo  # noqa: PLC0415
    from flagcore.ports.groups import GroupTypeRepo  # noqa: PLC0415
    from flagcore.ports.identity import OrganizationRepo, ProjectRepo, UserRepo  # noqa: PLC0415
    from flagcore.ports.persons import PersonRepo  # noqa: PLC0415

    container = make_async_container(*get_providers(settings), context={Settings: settings})
    try:
        export = ExportSeed(
            await container.get(ProjectRepo),
            await container.get(OrganizationRepo),
            await container.get(UserRepo),
            await container.get(FlagRepo),
            await container.get(CohortRepo),
            await container.get(GroupTypeRepo),
            await container.get(PersonRepo),
        )
        return await export.execute(project_id, test_keys=test_keys)
    finally:
        await container.close()


def _load(args: argparse.Namespace) -> int:
    settings = load_settings()
    if settings.uses_memory_storage:
        print("flagcore seed load: memory storage keeps nothing; use `flagcore serve --memory --seed FILE`")
        return 2
    # The seed is applied to an empty memory store first: a value that breaks a rule stops the load before anything
    # reaches the database (the writes below are several transactions, one per use case, as through the API).
    # What the memory store cannot know (a key already taken in the database) can still stop it part-way.
    if _apply(_memory(), args.file, show=False) != 0:
        return 2
    return _apply(settings, args.file)


def _check(args: argparse.Namespace) -> int:
    return _apply(_memory(), args.file)


def _memory() -> Settings:
    return msgspec.structs.replace(load_settings({}), database_url=MEMORY_DATABASE_URL)


def _apply(settings: Settings, file: str, *, show: bool = True) -> int:
    from dishka import make_async_container  # noqa: PLC0415

    from flagcore.app.ioc import get_providers  # noqa: PLC0415
    from flagcore.app.seeding.compose import apply_seed, world_text  # noqa: PLC0415

    async def run() -> str:
        seed = load_seed_file(file)
        container = make_async_container(*get_providers(settings), context={Settings: settings})
        try:
            return world_text(await apply_seed(container, seed, file=file))
        finally:
            await container.close()

    try:
        text = asyncio.run(run())
    except SeedError as exc:
        print(f"flagcore: {exc}", file=sys.stderr)
        return 2
    if show:
        print(text)
    return 0
