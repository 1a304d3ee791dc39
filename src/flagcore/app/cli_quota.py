"""``flagcore quota show|set ORG``: an organization's feature flag request quota, from the command line.

``ORG`` is the organization's id or its name. Both print the quota as the API's
``/api/organizations/{id}/quota/`` does.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime

import msgspec

from flagcore.app.quota.manage import GetQuota, SetQuota, SetQuotaCommand
from flagcore.app.quota.wire import present
from flagcore.app.settings import Settings, load_settings
from flagcore.domain.quota import DEFAULT_GRACE_PERIOD_DAYS, InvalidQuotaError
from flagcore.ports.identity import OrganizationRepo


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]  # argparse's private type
    quota = sub.add_parser("quota", help="show or set an organization's feature flag request quota")
    actions = quota.add_subparsers(dest="quota_command", required=True)
    show = actions.add_parser("show", help="print the organization's limit and usage")
    show.add_argument("organization", metavar="ORG", help="organization id or name")
    show.set_defaults(handler=_show)
    put = actions.add_parser("set", help="set (or with --limit none, remove) the organization's limit")
    put.add_argument("organization", metavar="ORG", help="organization id or name")
    put.add_argument("--limit", required=True, help="requests per billing period (calendar month), or none")
    put.add_argument(
        "--grace-days",
        type=int,
        default=DEFAULT_GRACE_PERIOD_DAYS,
        help=f"days served after the limit is reached (default {DEFAULT_GRACE_PERIOD_DAYS})",
    )
    put.add_argument("--suspend-until", help="suspend limiting until this ISO 8601 instant (UTC if no offset)")
    put.set_defaults(handler=_set)


def _show(args: argparse.Namespace) -> int:
    return asyncio.run(_run(load_settings(), args, None))


def _set(args: argparse.Namespace) -> int:
    try:
        limit = None if args.limit.lower() == "none" else int(args.limit)
        suspended = _instant(args.suspend_until) if args.suspend_until else None
    except ValueError as exc:
        print(f"flagcore quota set: {exc}", file=sys.stderr)
        return 2
    cmd = SetQuotaCommand(organization_id="", limit=limit, grace_period_days=args.grace_days, suspended_until=suspended)
    return asyncio.run(_run(load_settings(), args, cmd))


def _instant(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


async def _run(settings: Settings, args: argparse.Namespace, cmd: SetQuotaCommand | None) -> int:
    from dishka import make_async_container  # noqa: PLC0415

    from flagcore.app.ioc import get_providers  # noqa: PLC0415

    container = make_async_container(*get_providers(settings), context={Settings: settings})
    try:
        organizations = await container.get(OrganizationRepo)
        organization = await organizations.get(args.organization) or await organizations.get_by_name(args.organization)
        if organization is None:
            print(f"flagcore quota: no organization with id or name {args.organization!r}", file=sys.stderr)
            return 1
        if cmd is None:
            status = await (await container.get(GetQuota)).execute(organization.id)
        else:
            try:
                status = await (await container.get(SetQuota)).execute(
                    msgspec.structs.replace(cmd, organization_id=organization.id)
                )
            except InvalidQuotaError as exc:
                print(f"flagcore quota set: {exc.attr}: {exc.detail}", file=sys.stderr)
                return 2
        print(msgspec.json.format(msgspec.json.encode(present(status))).decode())
        return 0
    finally:
        await container.close()
