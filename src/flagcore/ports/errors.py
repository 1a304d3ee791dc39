"""Errors that ports may raise whatever the adapter."""

from __future__ import annotations

from flagcore.domain.errors import FlagcoreError


class BackendUnavailableError(FlagcoreError):
    """A backing service (database, cache, object store, remote evaluator) could not be reached or failed.

    Adapters raise it ``from`` the driver's exception so the cause stays in the logs; the HTTP edge answers 503.
    """

    code = "service_unavailable"

    def __init__(self, detail: str = "A backing service is unavailable. Please retry shortly.") -> None:
        super().__init__(detail)
