"""Errors that ports may raise whatever the adapter."""

from __future__ import annotations

from flagcore.domain.errors import FlagcoreError


class BackendUnavailableError(FlagcoreError):
    """A backing service (database, cache, object store, remote evaluator) could not be reached or failed.

    Adapters raise it ``from`` the driver's exception so the cause stays in the logs; the HTTP edge answers 503.

    Attributes:
        reason: for operators, one line saying what is wrong (``database "x" does not exist``) when the adapter
            could tell; logged, never sent to clients (``detail`` is what clients see).
        kind: the adapter's name for the kind of failure (``schema_missing``...), for callers that react to it
            (readiness); None when unknown.
    """

    code = "service_unavailable"

    def __init__(
        self,
        detail: str = "A backing service is unavailable. Please retry shortly.",
        *,
        reason: str | None = None,
        kind: str | None = None,
    ) -> None:
        super().__init__(detail)
        self.reason = reason
        self.kind = kind
