"""The conformance kit: black-box checks of a PostHog-compatible flag server (``flagcore conformance``).

It speaks only HTTP (httpx), so it runs against any implementation: flagcore, PostHog, or another one.
"""

from flagcore.conformance.kit import CheckResult, Target
from flagcore.conformance.run import run_checks

__all__ = ("CheckResult", "Target", "run_checks")
