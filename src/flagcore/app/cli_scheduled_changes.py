"""``flagcore scheduled-changes run``: run the scheduled changes that are due, once (for cron-style deployments).

Safe beside running servers and other runs: each change is claimed by one runner at a time. Prints what ran as
JSON (``{"applied": n, "failed": n, "finished": n}``); exits 0 even if changes failed (their failures are recorded
on the changes); a database it cannot reach is reported as by every command (one line, its own exit code).
"""

from __future__ import annotations

import argparse
import asyncio

import msgspec

from flagcore.app.settings import Settings, load_settings


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]  # argparse's private type
    changes = sub.add_parser("scheduled-changes", help="run the scheduled flag changes that are due")
    actions = changes.add_subparsers(dest="scheduled_changes_command", required=True)
    run = actions.add_parser("run", help="run every due scheduled change once, then exit")
    run.set_defaults(handler=_run_due)


def _run_due(_: argparse.Namespace) -> int:
    return asyncio.run(_run(load_settings()))


async def _run(settings: Settings) -> int:
    from dishka import make_async_container  # noqa: PLC0415 - keeps `--help` fast

    from flagcore.app.ioc import get_providers  # noqa: PLC0415
    from flagcore.app.scheduled_changes.executor import RunScheduledChanges  # noqa: PLC0415

    container = make_async_container(*get_providers(settings), context={Settings: settings})
    try:
        report = await (await container.get(RunScheduledChanges)).execute()
    finally:
        await container.close()
    print(msgspec.json.encode(report).decode())
    return 0
