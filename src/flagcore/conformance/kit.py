"""Running the checks: each is a function of a ``Session``; it passes, fails (with a reason) or skips."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx

Status = Literal["passed", "failed", "skipped"]
ERROR_KEYS = ("type", "code", "detail", "attr")


class CheckFailedError(AssertionError):
    """A check's expectation did not hold; the message is the reason shown in the report."""


class SkipCheckError(Exception):
    """The check cannot run against this target (e.g. no secret key given); the message says why."""


@dataclass(frozen=True)
class Target:
    url: str
    project_key: str
    personal_key: str
    secret_key: str | None = None
    timeout_s: float = 10.0


@dataclass(frozen=True)
class CheckResult:
    name: str
    status: Status
    reason: str = ""


@dataclass
class Session:
    """What the checks share: the client, the target, and what earlier checks found (the scratch project)."""

    target: Target
    client: httpx.Client
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:10])
    scratch: dict[str, Any] | None = None
    scratch_error: str | None = None
    notes: dict[str, Any] = field(default_factory=dict)

    def personal(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.target.personal_key}"}

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:  # noqa: ANN401 - httpx's options
        try:
            return self.client.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise CheckFailedError(f"{method} {path}: {exc!r}") from None


Check = Callable[[Session], None]


def expect(condition: object, reason: str) -> None:
    if not condition:
        raise CheckFailedError(reason)


def expect_status(response: httpx.Response, *statuses: int) -> None:
    if response.status_code not in statuses:
        wanted = " or ".join(map(str, statuses))
        body = response.text[:200]
        raise CheckFailedError(
            f"{response.request.method} {response.request.url.path}: {response.status_code} (expected {wanted}): {body}"
        )


def json_object(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        raise CheckFailedError(f"{response.request.url.path}: the body is not JSON: {response.text[:200]}") from None
    expect(isinstance(body, dict), f"{response.request.url.path}: the body is not a JSON object")
    return dict(body)


def expect_error_body(response: httpx.Response) -> None:
    """PostHog's error body: ``{"type", "code", "detail", "attr"}``."""
    body = json_object(response)
    missing = [key for key in ERROR_KEYS if key not in body]
    expect(not missing, f"{response.request.url.path}: error body without {', '.join(missing)}: {body}")
    expect(isinstance(body["detail"], str), "error body: detail is not a string")
