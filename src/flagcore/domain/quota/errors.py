"""Errors of quotas and throttles, rendered with PostHog's bodies."""

from __future__ import annotations

from flagcore.domain.errors import FlagcoreError


class QuotaLimitedError(FlagcoreError):
    """The organization is over its feature flag request quota (402 on the definitions feed)."""

    code = "payment_required"

    def __init__(self) -> None:
        super().__init__("You have exceeded your feature flag request quota")


class ThrottledError(FlagcoreError):
    """Too many requests in the window (429 with ``Retry-After``).

    Attributes:
        retry_after_s: whole seconds until a request would be admitted again (at least 1).
    """

    code = "throttled"

    def __init__(self, retry_after_s: int) -> None:
        self.retry_after_s = max(1, retry_after_s)
        super().__init__(f"Request was throttled. Expected available in {self.retry_after_s} seconds.")
