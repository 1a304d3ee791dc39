"""Evaluating a project's flags for one subject, wherever the evaluation runs: in process, or in a flags service.

The management API's ``my_flags`` and ``evaluation_reasons`` ask this port. PostHog proxies these two actions to its
flag service (``POST /flags?v=2``); flagcore evaluates in process by default and can proxy the same way.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping
from typing import Protocol

import msgspec

from flagcore.domain.evaluation import FlagValue
from flagcore.domain.identity import Project
from flagcore.ports.errors import BackendUnavailableError


class EvaluatedFlag(msgspec.Struct, frozen=True, kw_only=True):
    """The outcome of one flag, as a ``/flags?v=2`` detailed record reports it.

    Attributes:
        enabled: whether the flag is on (false for failed flags).
        variant: the variant key, or ``None``.
        reason: the wire reason code (``condition_match``, ...), or the error code of a failed flag.
        condition_index: zero-based index of the deciding condition, or ``None``.
        failed: whether the flag could not be evaluated.
    """

    enabled: bool
    variant: str | None = None
    reason: str
    condition_index: int | None = None
    failed: bool = False

    @property
    def value(self) -> FlagValue:
        """The flag's value: the variant if there is one, else ``enabled``."""
        return self.variant if self.variant is not None else self.enabled


class EvaluatorUnavailableError(BackendUnavailableError):
    """The evaluation service could not be reached, failed, or answered something that is not a flags response.

    The HTTP edge answers 502: the evaluator is an upstream of the request, and it is the upstream that failed.
    """

    code = "bad_gateway"

    def __init__(self, detail: str = "The flag evaluation service failed. Please retry shortly.") -> None:
        super().__init__(detail)


class EvaluatorTimeoutError(BackendUnavailableError):
    """The evaluation service did not answer within the configured timeout (the HTTP edge answers 504)."""

    code = "gateway_timeout"

    def __init__(self, detail: str = "The flag evaluation service did not answer in time. Please retry.") -> None:
        super().__init__(detail)


class FlagEvaluator(Protocol):
    """Evaluates every flag of a project for one subject, as the server's ``/flags`` endpoint would.

    Adapters give the same results for the same stored flags: the in-process engine over the project's current
    snapshot, or a PostHog-compatible service over HTTP.
    """

    @abstractmethod
    async def evaluate(
        self, project: Project, *, distinct_id: str, groups: Mapping[str, str]
    ) -> dict[str, EvaluatedFlag]:
        """Evaluate the project's flags for ``distinct_id`` in ``groups`` (group type name -> group key).

        No person or group properties are sent: conditions on properties see only what the evaluator stores.
        Flags of every runtime are evaluated (the caller is a management client, not an SDK of one runtime).

        Returns:
            One result per evaluated flag, by key. Inactive and deleted flags are omitted, as ``/flags`` omits
            them; a flag that fails to evaluate is present with ``failed=True`` and ``enabled=False``.

        Raises:
            EvaluatorUnavailableError: the evaluator cannot be reached, fails, or answers garbage.
            EvaluatorTimeoutError: the evaluator does not answer within its timeout.
        """
        ...
