"""``flagcore change-requests expire``: expire due change requests and mark stale ones, once.

For deployments that run it from cron instead of (or besides) the in-process task
(``FLAGCORE_CHANGE_REQUEST_EXPIRY_S``); running both, or on several hosts, expires each request once.
"""

from __future__ import annotations

import argparse
import asyncio

import msgspec

from flagcore.app.settings import Settings, load_settings


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]  # argparse's private type
    requests = sub.add_parser("change-requests", help="maintain approval change requests")
    actions = requests.add_subparsers(dest="change_requests_command", required=True)
    expire = actions.add_parser("expire", help="expire requests past their expiry and mark stale ones, then exit")
    expire.set_defaults(handler=_expire)


def _expire(_: argparse.Namespace) -> int:
    return asyncio.run(_run(load_settings()))


async def _run(settings: Settings) -> int:
    from dishka import make_async_container  # noqa: PLC0415

    from flagcore.app.approvals.expiry import ExpireChangeRequests  # noqa: PLC0415 - keeps other commands lean
    from flagcore.app.ioc import get_providers  # noqa: PLC0415

    container = make_async_container(*get_providers(settings), context={Settings: settings})
    try:
        report = await (await container.get(ExpireChangeRequests)).execute()
        print(msgspec.json.encode(report).decode())
        return 0
    finally:
        await container.close()
