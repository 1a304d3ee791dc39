"""Error bodies of the OpenFeature routes: the sync API's envelope and OFREP's failure bodies.

The status of every error still comes from the one table in ``app/http/errors.py``: these handlers call it and
only re-shape its body into what the OpenFeature clients read.
"""

from __future__ import annotations

from typing import Any, Final

import msgspec
from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException
from litestar.types import ExceptionHandlersMap

from flagcore.app.http.errors import (
    ErrorBody,
    flagcore_error_handler,
    http_exception_handler,
    unexpected_error_handler,
)
from flagcore.app.http.openfeature.schemas import (
    ErrorDetail,
    ErrorInfo,
    ManifestError,
    OfrepRequestFailure,
    OfrepResult,
)
from flagcore.domain.approvals import ApprovalRequiredError
from flagcore.domain.errors import FlagcoreError, InvalidInputError
from flagcore.domain.openfeature.ofrep import GENERAL, PARSE_ERROR, OfrepRequestError
from flagcore.domain.quota import QuotaLimitedError

Req = Request[Any, Any, Any]
_DECODE_BODY: Final = msgspec.json.Decoder(ErrorBody)


def _central(request: Req, exc: Exception) -> tuple[Response[bytes], ErrorBody]:
    if isinstance(exc, ApprovalRequiredError):  # PostHog's 409 body embeds the change request: not an ErrorBody
        return flagcore_error_handler(request, exc), ErrorBody("invalid_request", exc.code, exc.detail, None)
    if isinstance(exc, FlagcoreError):
        response = flagcore_error_handler(request, exc)
    elif isinstance(exc, HTTPException):
        response = http_exception_handler(request, exc)
    else:
        response = unexpected_error_handler(request, exc)
    return response, _DECODE_BODY.decode(response.content)


def _json(status: int, body: msgspec.Struct, headers: dict[str, str]) -> Response[bytes]:
    return Response(msgspec.json.encode(body), status_code=status, media_type=MediaType.JSON, headers=headers)


def manifest_error_handler(request: Req, exc: Exception) -> Response[bytes]:
    response, body = _central(request, exc)
    status = response.status_code or 500
    details = [ErrorDetail(field=body.attr, code=body.code, message=body.detail)] if body.attr else []
    if isinstance(exc, ApprovalRequiredError):  # the request's id, so that a CLI user can find and approve it
        details = [ErrorDetail(field="change_request", code=exc.code, message=exc.change_request.id)]
    envelope = ManifestError(error=ErrorInfo(message=body.detail, status=status, details=details))
    return _json(status, envelope, dict(response.headers))


def ofrep_error_handler(request: Req, exc: Exception) -> Response[bytes]:
    response, body = _central(request, exc)
    status = response.status_code or 500
    key = request.path_params.get("key")
    code = GENERAL
    if isinstance(exc, OfrepRequestError):
        code = exc.code
    elif isinstance(exc, InvalidInputError) or status == 400:  # noqa: PLR2004
        code = PARSE_ERROR
    # A single flag's quota refusal names the flag, like its other failures, so clients tie it to the evaluation.
    if key is not None and (status == 400 or isinstance(exc, QuotaLimitedError)):  # noqa: PLR2004
        failure: msgspec.Struct = OfrepResult(key=str(key), error_code=code, error_details=body.detail)
    else:
        failure = OfrepRequestFailure(error_code=code, error_details=body.detail)
    return _json(status, failure, dict(response.headers))


# Keyed like the app's own handlers: Litestar picks the most specific exception type before the closest layer.
MANIFEST_EXCEPTION_HANDLERS: Final[ExceptionHandlersMap] = dict.fromkeys(
    (FlagcoreError, HTTPException, Exception), manifest_error_handler
)
OFREP_EXCEPTION_HANDLERS: Final[ExceptionHandlersMap] = dict.fromkeys(
    (FlagcoreError, HTTPException, Exception), ofrep_error_handler
)
