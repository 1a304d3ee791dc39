"""How the evaluation routes report their results to the metrics without knowing about them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Final, cast

from litestar.types import HTTPScope

from flagcore.domain.evaluation import FlagResult

#: Where the middleware leaves the evaluation counter in the ASGI scope (absent: metrics are off).
EVALUATIONS_KEY: Final = "flagcore.count_evaluations"


def count_evaluations(scope: HTTPScope, flags: Mapping[str, FlagResult]) -> None:
    """Count a ``/flags`` answer's results by reason, if metrics are on."""
    count = cast("Callable[[Mapping[str, FlagResult]], None] | None", scope.get(EVALUATIONS_KEY))
    if count is not None and flags:
        count(flags)
