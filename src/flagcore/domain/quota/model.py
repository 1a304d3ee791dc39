"""What a quota is: a limit on one resource per billing period, its grace period, and the operator's suspension."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Final

import msgspec

from flagcore.domain.errors import InvalidInputError

#: PostHog gives feature flags a grace period of 2 days before limiting, whatever the organization.
DEFAULT_GRACE_PERIOD_DAYS: Final = 2
#: A grace period longer than any billing period would never end: refused.
MAX_GRACE_PERIOD_DAYS: Final = 31
MAX_LIMIT: Final = 10**15


class Resource(enum.StrEnum):
    """A metered resource, named as in PostHog's organization usage."""

    FEATURE_FLAG_REQUESTS = "feature_flag_requests"


class Product(enum.StrEnum):
    """What a limited response names in ``quotaLimited``."""

    FEATURE_FLAGS = "feature_flags"


#: How many units each kind of served request costs (PostHog bills definitions feed polls 10x).
FLAGS_REQUEST_COST: Final = 1
FEED_REQUEST_COST: Final = 10
REMOTE_CONFIG_COST: Final = 1


class QuotaLimit(msgspec.Struct, frozen=True, kw_only=True):
    """An organization's limit on one resource.

    Attributes:
        organization_id: whose limit.
        resource: what is limited.
        limit: units per billing period; None means unlimited.
        grace_period_days: days served after the limit is crossed before limiting starts.
        suspended_until: the operator suspended limiting until then (None: not suspended).
        updated_at: when the limit was last set: a grace period never starts before it, so a limit lowered below
            the usage already counted still gives its grace period.
    """

    organization_id: str
    resource: Resource = Resource.FEATURE_FLAG_REQUESTS
    limit: int | None = None
    grace_period_days: int = DEFAULT_GRACE_PERIOD_DAYS
    suspended_until: datetime | None = None
    updated_at: datetime

    def __post_init__(self) -> None:
        if self.limit is not None and not 0 <= self.limit <= MAX_LIMIT:
            raise InvalidQuotaError(f"Ensure this value is between 0 and {MAX_LIMIT}.", attr="limit")
        if not 0 <= self.grace_period_days <= MAX_GRACE_PERIOD_DAYS:
            raise InvalidQuotaError(
                f"Ensure this value is between 0 and {MAX_GRACE_PERIOD_DAYS}.", attr="grace_period_days"
            )


class InvalidQuotaError(InvalidInputError):
    code = "invalid_input"


class Period(msgspec.Struct, frozen=True):
    """A billing period: ``[start, end)``, both at midnight UTC."""

    start: datetime
    end: datetime


class DailyUsage(msgspec.Struct, frozen=True, kw_only=True):
    """Units counted per UTC day within one period (days without usage absent)."""

    days: dict[date, int] = msgspec.field(default_factory=dict)


class UsageKey(msgspec.Struct, frozen=True):
    """One counter: an organization's units of one resource on one UTC day."""

    organization_id: str
    resource: Resource
    day: date


class QuotaStatus(msgspec.Struct, frozen=True, kw_only=True):
    """Where an organization stands on one resource at one moment (PostHog's organization usage fields).

    Attributes:
        limit: the limit, or None.
        usage: units counted in the period before today.
        todays_usage: units counted today.
        period: the billing period.
        grace_period_days: the grace period.
        grace_until: when limiting starts (the limit is crossed and the grace period runs), or None.
        quota_limited_until: the end of the period while limited, else None.
        suspended_until: the operator's suspension, if any.
    """

    limit: int | None
    usage: int
    todays_usage: int
    period: Period
    grace_period_days: int
    grace_until: datetime | None
    quota_limited_until: datetime | None
    suspended_until: datetime | None

    @property
    def limited(self) -> bool:
        return self.quota_limited_until is not None
