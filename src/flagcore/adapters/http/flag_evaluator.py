"""``FlagEvaluator`` over HTTP: a PostHog-compatible ``POST /flags?v=2`` service (PostHog's, or another flagcore).

The ``httpx.AsyncClient`` is handed in: the composition root opens it once per process and closes it on shutdown,
so connections are pooled across requests.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any, Final

import httpx
import msgspec

from flagcore.domain.identity import Project
from flagcore.domain.json_limits import check_document_depth
from flagcore.ports.flag_evaluator import (
    EvaluatedFlag,
    EvaluatorTimeoutError,
    EvaluatorUnavailableError,
    FlagEvaluator,
)

logger = logging.getLogger("flagcore.evaluator")

USER_AGENT: Final = "flagcore-remote-evaluator/0.1"


class _Reason(msgspec.Struct, frozen=True):
    code: str
    condition_index: int | None = None


class _Record(msgspec.Struct, frozen=True):
    enabled: bool
    reason: _Reason
    variant: str | None = None
    failed: bool = False


class _FlagsResponse(msgspec.Struct, frozen=True):
    """The part of a detailed ``/flags?v=2`` response this adapter reads; other fields are ignored."""

    flags: dict[str, _Record]


_DECODER: Final = msgspec.json.Decoder(_FlagsResponse)


class HttpFlagEvaluator(FlagEvaluator):
    """POSTs ``{"token", "distinct_id", "groups", "evaluation_runtime": "all"}`` to ``{base_url}/flags?v=2``.

    ``evaluation_runtime`` is sent so the service evaluates flags of every runtime, whatever it would infer from
    our User-Agent; the in-process adapter does the same. ``timeout_s`` bounds the whole exchange (connecting,
    sending, waiting and reading the body), not each phase separately.
    """

    def __init__(self, client: httpx.AsyncClient, *, base_url: str, timeout_s: float) -> None:
        self._client = client
        self._url = f"{base_url.rstrip('/')}/flags"
        self._timeout_s = timeout_s

    async def evaluate(
        self, project: Project, *, distinct_id: str, groups: Mapping[str, str]
    ) -> dict[str, EvaluatedFlag]:
        body: dict[str, Any] = {
            "token": project.api_token,
            "distinct_id": distinct_id,
            "groups": dict(groups),
            "evaluation_runtime": "all",
        }
        raw = await self._post(body)
        try:
            check_document_depth(raw)
            response = _DECODER.decode(raw)
        except msgspec.DecodeError as exc:  # ValidationError is a DecodeError
            logger.warning("flag evaluation service at %s sent an unreadable body: %s", self._url, exc)
            msg = "The flag evaluation service answered with something that is not a flags response."
            raise EvaluatorUnavailableError(msg) from exc
        return {key: _result(record) for key, record in response.flags.items()}

    async def _post(self, body: dict[str, Any]) -> bytes:
        try:
            async with asyncio.timeout(self._timeout_s):
                response = await self._client.post(
                    self._url,
                    params={"v": "2"},
                    content=msgspec.json.encode(body),
                    headers={"Content-Type": "application/json", "User-Agent": USER_AGENT},
                    timeout=self._timeout_s,
                )
        except (TimeoutError, httpx.TimeoutException) as exc:
            logger.warning("flag evaluation service at %s did not answer within %ss", self._url, self._timeout_s)
            raise EvaluatorTimeoutError from exc
        except httpx.HTTPError as exc:
            # The URL stays in the log, not in the body: API clients need not learn the internal topology.
            logger.warning("flag evaluation service at %s is unreachable: %r", self._url, exc)
            msg = "The flag evaluation service is unreachable. Please retry shortly."
            raise EvaluatorUnavailableError(msg) from exc
        if not response.is_success:
            logger.warning("flag evaluation service at %s answered HTTP %s", self._url, response.status_code)
            msg = f"The flag evaluation service answered HTTP {response.status_code}."
            raise EvaluatorUnavailableError(msg)
        return response.content


def _result(record: _Record) -> EvaluatedFlag:
    return EvaluatedFlag(
        enabled=record.enabled,
        variant=record.variant,
        reason=record.reason.code,
        condition_index=record.reason.condition_index,
        failed=record.failed,
    )
