"""Quotas: per-organization limits on metered resources per billing period (PostHog's quota limiting)."""

from flagcore.domain.quota.errors import QuotaLimitedError, ThrottledError
from flagcore.domain.quota.model import (
    DEFAULT_GRACE_PERIOD_DAYS,
    FEED_REQUEST_COST,
    FLAGS_REQUEST_COST,
    REMOTE_CONFIG_COST,
    DailyUsage,
    InvalidQuotaError,
    Period,
    Product,
    QuotaLimit,
    QuotaStatus,
    Resource,
    UsageKey,
)
from flagcore.domain.quota.rules import billing_period, crossing_day, day_of, quota_status
from flagcore.domain.quota.throttles import BURST, PER_PROJECT, SUSTAINED, InvalidRateError, Rate, parse_rate

__all__ = (
    "BURST",
    "DEFAULT_GRACE_PERIOD_DAYS",
    "FEED_REQUEST_COST",
    "FLAGS_REQUEST_COST",
    "PER_PROJECT",
    "REMOTE_CONFIG_COST",
    "SUSTAINED",
    "DailyUsage",
    "InvalidQuotaError",
    "InvalidRateError",
    "Period",
    "Product",
    "QuotaLimit",
    "QuotaLimitedError",
    "QuotaStatus",
    "Rate",
    "Resource",
    "ThrottledError",
    "UsageKey",
    "billing_period",
    "crossing_day",
    "day_of",
    "parse_rate",
    "quota_status",
)
