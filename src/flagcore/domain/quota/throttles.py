"""Request rate limits (PostHog's throttles): a rate written ``N/period``, and the defaults PostHog applies."""

from __future__ import annotations

import re
from typing import Final

import msgspec

from flagcore.domain.errors import InvalidInputError

_PERIODS: Final = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
_RATE: Final = re.compile(r"\s*(\d+)\s*/\s*(\d*)\s*([a-z]+)\s*", re.IGNORECASE)
_MAX_AMOUNT: Final = 10**9


class Rate(msgspec.Struct, frozen=True):
    """At most ``amount`` requests per ``period_s`` seconds (a moving window)."""

    amount: int
    period_s: int

    def __str__(self) -> str:
        return f"{self.amount}/{self.period_s}s"


class InvalidRateError(InvalidInputError):
    code = "invalid_input"


def parse_rate(text: str) -> Rate:
    """``"600/minute"``, ``"4800/hour"``, ``"10/5 seconds"`` (PostHog's and DRF's notation; ``s``/``m``/``h``/``d``).

    Raises:
        InvalidRateError: not of that form, or a zero or absurd amount.
    """
    found = _RATE.fullmatch(text)
    unit = found.group(3).lower() if found else ""
    # As DRF reads it: only the period's first letter counts ("min", "minutes" and "m" are all minutes).
    seconds = next((n for name, n in _PERIODS.items() if unit and name[0] == unit[0]), None)
    if found is None or seconds is None:
        msg = f"{text!r} is not a rate such as 600/minute (periods: second, minute, hour, day)"
        raise InvalidRateError(msg)
    amount = int(found.group(1))
    if not 1 <= amount <= _MAX_AMOUNT:
        msg = f"{text!r}: the amount must be between 1 and {_MAX_AMOUNT}"
        raise InvalidRateError(msg)
    return Rate(amount, seconds * int(found.group(2) or 1))


#: Personal-API-key requests to the management API (PostHog's BurstRateThrottle and SustainedRateThrottle).
BURST: Final = Rate(480, 60)
SUSTAINED: Final = Rate(4800, 3600)
#: The definitions feed and remote config, per project (PostHog's LocalEvaluationThrottle, RemoteConfigThrottle).
PER_PROJECT: Final = Rate(600, 60)
