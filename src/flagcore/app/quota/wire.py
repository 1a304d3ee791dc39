"""The quota's wire shape (PostHog's organization usage), shared by the HTTP routes and ``flagcore quota``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import msgspec

from flagcore.domain.quota import DEFAULT_GRACE_PERIOD_DAYS, QuotaStatus


class ResourceUsage(msgspec.Struct, frozen=True, kw_only=True):
    limit: int | None
    usage: int
    todays_usage: int
    period: tuple[str, str]
    grace_period_days: int
    quota_limited_until: int | None
    grace_until: int | None
    quota_limiting_suspended_until: int | None


class QuotaOut(msgspec.Struct, frozen=True, kw_only=True):
    feature_flag_requests: ResourceUsage


class ResourceQuotaIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    limit: int | None
    grace_period_days: int = DEFAULT_GRACE_PERIOD_DAYS
    quota_limiting_suspended_until: Annotated[int, msgspec.Meta(ge=0, le=2**35)] | None = None


class QuotaIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    feature_flag_requests: ResourceQuotaIn


def _ts(moment: datetime | None) -> int | None:
    return int(moment.timestamp()) if moment is not None else None


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def present(status: QuotaStatus) -> QuotaOut:
    """The wire shape of a status."""
    return QuotaOut(
        feature_flag_requests=ResourceUsage(
            limit=status.limit,
            usage=status.usage,
            todays_usage=status.todays_usage,
            period=(_iso(status.period.start), _iso(status.period.end)),
            grace_period_days=status.grace_period_days,
            quota_limited_until=_ts(status.quota_limited_until),
            grace_until=_ts(status.grace_until),
            quota_limiting_suspended_until=_ts(status.suspended_until),
        )
    )
