"""The one place where errors become HTTP responses, in PostHog's body ``{"type", "code", "detail", "attr"}``.

Domain errors map by category (not one by one), Litestar's own exceptions (unknown route, wrong method, bad body)
get the same body, and anything unexpected is logged and answered with PostHog's generic 500 body.
"""

from __future__ import annotations

import logging
from typing import Any, Final

import msgspec
from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException
from litestar.types import ExceptionHandlersMap

from flagcore.app.http.approvals.schemas import approval_required_out
from flagcore.app.http.outage_log import OutageLog
from flagcore.domain.approvals import ApprovalRequiredError, ChangeRequestActionError
from flagcore.domain.errors import (
    ConflictError,
    FlagcoreError,
    ForbiddenError,
    InvalidInputError,
    NotFoundError,
    UnauthenticatedError,
)
from flagcore.domain.quota import QuotaLimitedError, ThrottledError
from flagcore.ports.errors import BackendUnavailableError
from flagcore.ports.flag_evaluator import EvaluatorTimeoutError, EvaluatorUnavailableError

logger = logging.getLogger("flagcore.http")


class ErrorBody(msgspec.Struct, frozen=True):
    type: str
    code: str
    detail: str
    attr: str | None = None


# Category -> (status, PostHog/DRF error type). Order matters: first match wins.
_CATEGORIES: Final[tuple[tuple[type[FlagcoreError], int, str], ...]] = (
    (UnauthenticatedError, 401, "authentication_error"),
    (QuotaLimitedError, 402, "quota_limited"),
    (ThrottledError, 429, "throttled_error"),
    (ForbiddenError, 403, "authentication_error"),
    (NotFoundError, 404, "invalid_request"),
    (ConflictError, 409, "server_error"),
    (InvalidInputError, 400, "validation_error"),
    # The evaluator is an upstream of the request: its failures are gateway errors, before the generic 503.
    (EvaluatorTimeoutError, 504, "server_error"),
    (EvaluatorUnavailableError, 502, "server_error"),
    (BackendUnavailableError, 503, "server_error"),
)
# Litestar's own HTTP errors: status -> (type, code).
_HTTP_CODES: Final = {
    400: ("invalid_request", "parse_error"),
    401: ("authentication_error", "not_authenticated"),
    403: ("authentication_error", "permission_denied"),
    404: ("invalid_request", "not_found"),
    405: ("invalid_request", "method_not_allowed"),
    406: ("invalid_request", "not_acceptable"),
    413: ("invalid_request", "request_too_large"),
    415: ("invalid_request", "unsupported_media_type"),
    429: ("throttled_error", "throttled"),
}


def error_response(status: int, body: ErrorBody, headers: dict[str, str] | None = None) -> Response[bytes]:
    return Response(
        content=msgspec.json.encode(body), status_code=status, media_type=MediaType.JSON, headers=headers or {}
    )


def error_status(exc: FlagcoreError) -> int:
    """The HTTP status of a domain error (the admin UI renders it as a page, with this same status)."""
    return next((status for category, status, _type in _CATEGORIES if isinstance(exc, category)), 500)


def flagcore_error_handler(request: Request[Any, Any, Any], exc: FlagcoreError) -> Response[bytes]:
    # Approvals answer with PostHog's own bodies: the gate's 409 embeds the change request, and the change-request
    # actions refuse with ``{"error": message}``.
    if isinstance(exc, ApprovalRequiredError):
        body = msgspec.json.encode(approval_required_out(exc))
        return Response(content=body, status_code=409, media_type=MediaType.JSON)
    if isinstance(exc, ChangeRequestActionError):
        return Response(
            content=msgspec.json.encode(ErrorMessage(exc.detail)), status_code=400, media_type=MediaType.JSON
        )
    for category, status, error_type in _CATEGORIES:
        if isinstance(exc, category):
            if isinstance(exc, BackendUnavailableError):  # logged because an operator must act on it: once a cause
                _outages(request).failed(exc, method=request.method, path=request.scope.get("path_template", "?"))
            # Retry-After: PostHog's throttles send it (DRF's wait(), rounded up to whole seconds).
            headers = {"Retry-After": str(exc.retry_after_s)} if isinstance(exc, ThrottledError) else None
            return error_response(status, ErrorBody(error_type, exc.code, exc.detail, exc.attr), headers)
    return unexpected_error_handler(request, exc)


def _outages(request: Request[Any, Any, Any]) -> OutageLog:
    # One per app, so that two apps in a process (tests) do not silence each other.
    outages: OutageLog | None = request.app.state.get(_OUTAGE_LOG)
    if outages is None:
        outages = request.app.state[_OUTAGE_LOG] = OutageLog(logger)
    return outages


_OUTAGE_LOG: Final = "flagcore.outage_log"


def http_exception_handler(request: Request[Any, Any, Any], exc: HTTPException) -> Response[bytes]:
    status = exc.status_code
    if status >= 500:  # noqa: PLR2004
        return unexpected_error_handler(request, exc)
    error_type, code = _HTTP_CODES.get(status, ("invalid_request", "error"))
    if status == 404:  # noqa: PLR2004
        detail = "Not found."
    elif status == 405:  # noqa: PLR2004
        detail = f'Method "{request.method}" not allowed.'
    else:
        detail = exc.detail
    headers = {"Allow": exc.headers["Allow"]} if exc.headers and "Allow" in exc.headers else None
    return error_response(status, ErrorBody(error_type, code, detail), headers)


#: For the API documentation: the answers of a route that raises :class:`ErrorMessageResponse`.
def error_message_statuses(*statuses: int) -> list[tuple[int, str, object]]:
    return [
        (status, 'PostHog\'s `{"error": message}`, or the usual error body.', (ErrorMessage, ErrorBody))
        for status in statuses
    ]


class ErrorMessage(msgspec.Struct, frozen=True):
    """The bare body some PostHog actions answer with instead of the standard one (bulk_keys, flag_value...)."""

    error: str


class ErrorMessageResponse(Exception):  # noqa: N818 - a response, raised from a handler
    """Raised by a handler whose PostHog counterpart answers ``{"error": message}`` rather than the usual body."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def error_message_handler(request: Request[Any, Any, Any], exc: ErrorMessageResponse) -> Response[bytes]:
    del request
    return Response(
        content=msgspec.json.encode(ErrorMessage(exc.message)), status_code=exc.status, media_type=MediaType.JSON
    )


def unexpected_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    logger.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(500, ErrorBody("server_error", "error", "A server error occurred."))


EXCEPTION_HANDLERS: Final[ExceptionHandlersMap] = {
    FlagcoreError: flagcore_error_handler,
    ErrorMessageResponse: error_message_handler,
    HTTPException: http_exception_handler,
    Exception: unexpected_error_handler,
}
