"""One log line for a backend outage, not one traceback per request.

During an outage every request fails the same way; the operator needs the cause once, with how many requests it
stood for, not thousands of identical tracebacks. Each distinct cause is logged at once, then at most once per
``every_s`` with the count of the failures since its last line.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Final

from flagcore.ports.errors import BackendUnavailableError

DEFAULT_EVERY_S: Final = 10.0
_MAX_CAUSES: Final = 256  # distinct causes remembered; a flood of distinct messages cannot grow it without bound


class OutageLog:
    def __init__(
        self,
        logger: logging.Logger,
        *,
        every_s: float = DEFAULT_EVERY_S,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._logger = logger
        self._every_s = every_s
        self._monotonic = monotonic
        # cause -> (time of its last line, failures since then)
        self._causes: dict[str, tuple[float, int]] = {}

    def failed(self, exc: BackendUnavailableError, *, method: str, path: str) -> None:
        """Record a request that failed with ``exc``; log it if its cause was not logged in the last window."""
        cause = describe(exc)
        # The same failure names another table or key per request: its parenthesised detail is not part of it.
        key = cause.split(" (", 1)[0]
        now = self._monotonic()
        last = self._causes.get(key)
        if last is not None and now - last[0] < self._every_s:
            self._causes[key] = (last[0], last[1] + 1)
            return
        if last is None and len(self._causes) >= _MAX_CAUSES:
            self._causes.clear()
        since = f" ({last[1]} more failure(s) since the last line)" if last is not None and last[1] else ""
        self._logger.warning("backend unavailable: %s; %s %s answered 503%s", cause, method, path, since)
        self._causes[key] = (now, 0)


def describe(exc: BackendUnavailableError) -> str:
    """The cause in one line: the adapter's ``reason``, else the driver's error."""
    if exc.reason:
        return exc.reason
    cause = exc.__cause__
    if cause is None:
        return exc.detail
    text = str(cause).strip().splitlines()
    return f"{exc.detail} ({type(cause).__name__}: {text[0] if text else ''})"
