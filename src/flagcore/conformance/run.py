"""Running the kit's checks against a target: one result per check, a failure never stopping the others.

Apart from ``kit.py`` (what a check is and uses) so that the checks import the kit and this module imports both,
with no import loop.
"""

from __future__ import annotations

from collections.abc import Sequence

import httpx

from flagcore.conformance.checks import ALL_CHECKS
from flagcore.conformance.kit import Check, CheckFailedError, CheckResult, Session, SkipCheckError, Target


def run_checks(
    target: Target, checks: Sequence[tuple[str, Check]] | None = None, *, transport: httpx.BaseTransport | None = None
) -> list[CheckResult]:
    """Run ``checks`` (default: every check of the kit) in order; one result per check.

    ``transport``: httpx's transport to the server (e.g. a WSGI or mock transport); default: the network.
    """
    results = []
    with httpx.Client(base_url=target.url.rstrip("/"), timeout=target.timeout_s, transport=transport) as client:
        session = Session(target=target, client=client)
        for name, check in checks or ALL_CHECKS:
            try:
                check(session)
            except SkipCheckError as exc:
                results.append(CheckResult(name, "skipped", str(exc)))
            except CheckFailedError as exc:
                results.append(CheckResult(name, "failed", str(exc)))
            except Exception as exc:  # noqa: BLE001 - a broken server must not stop the other checks
                results.append(CheckResult(name, "failed", f"unexpected {exc!r}"))
            else:
                results.append(CheckResult(name, "passed"))
    return results
