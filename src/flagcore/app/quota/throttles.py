"""Throttles (PostHog's): personal API keys on the management API, and per project on the feed and remote config.

Counting goes through the ``RateLimiter`` port (Redis when configured, so every instance counts against one
window; else per process). When that store fails, requests are admitted and the failure counted for
``/_status``: a rate limit protects the service, it must not take it down.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Mapping
from typing import Final

import msgspec

from flagcore.domain.quota import BURST, PER_PROJECT, SUSTAINED, Rate, ThrottledError
from flagcore.ports.errors import BackendUnavailableError
from flagcore.ports.quota import RateLimiter

logger = logging.getLogger("flagcore.quota")
_LOG_EVERY_S: Final = 60.0
#: After the store fails, requests are admitted without asking it for this long: a hung Redis must cost one
#: timeout per cool-down, not one per request (as the snapshot tiers do).
COOL_DOWN_S: Final = 1.0
#: Throttle scopes, PostHog's names where it has them.
BURST_SCOPE: Final = "burst"
SUSTAINED_SCOPE: Final = "sustained"
FEED_SCOPE: Final = "feature_flag_evaluations"
REMOTE_CONFIG_SCOPE: Final = "remote_config"


class ThrottleRates(msgspec.Struct, frozen=True, kw_only=True):
    """The rates in force (from settings)."""

    enabled: bool = True
    burst: Rate = BURST
    sustained: Rate = SUSTAINED
    feed: Rate = PER_PROJECT
    feed_projects: Mapping[int, Rate] = msgspec.field(default_factory=dict)
    remote_config: Rate = PER_PROJECT
    remote_config_projects: Mapping[int, Rate] = msgspec.field(default_factory=dict)


class Throttles:
    def __init__(self, limiter: RateLimiter, rates: ThrottleRates) -> None:
        self._limiter = limiter
        self._rates = rates
        self.failures = 0
        self._logged_at = 0.0
        self._skip_until = 0.0

    @property
    def enabled(self) -> bool:
        return self._rates.enabled

    async def personal_key(self, key_id: str) -> None:
        """Count a management request made with a personal API key (burst and sustained windows).

        Raises:
            ThrottledError: either window is full.
        """
        if self._rates.enabled:
            await self._hit(BURST_SCOPE, key_id, self._rates.burst)
            await self._hit(SUSTAINED_SCOPE, key_id, self._rates.sustained)

    async def feed(self, project_id: int) -> None:
        """Count a definitions feed request of the project.

        Raises:
            ThrottledError: the project's window is full.
        """
        if self._rates.enabled:
            await self._hit(FEED_SCOPE, str(project_id), self._rates.feed_projects.get(project_id, self._rates.feed))

    async def remote_config(self, project_id: int) -> None:
        """Count a remote config request of the project.

        Raises:
            ThrottledError: the project's window is full.
        """
        if self._rates.enabled:
            rate = self._rates.remote_config_projects.get(project_id, self._rates.remote_config)
            await self._hit(REMOTE_CONFIG_SCOPE, str(project_id), rate)

    async def _hit(self, scope: str, key: str, rate: Rate) -> None:
        if self._skip_until and time.monotonic() < self._skip_until:
            return  # the store failed moments ago: admitted without waiting for it again
        try:
            wait = await self._limiter.hit(scope, key, rate)
        except BackendUnavailableError as exc:
            self.failures += 1
            now = time.monotonic()
            self._skip_until = now + COOL_DOWN_S
            if now - self._logged_at >= _LOG_EVERY_S:
                self._logged_at = now
                logger.warning("rate limit store unavailable, admitting requests: %r", exc.__cause__)
            return
        if wait is not None:
            raise ThrottledError(math.ceil(wait))
