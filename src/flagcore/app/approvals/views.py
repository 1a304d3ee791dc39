"""What approval use cases return: a change request with the users it names, seen by one caller."""

from __future__ import annotations

from typing import Any

import msgspec

from flagcore.domain.approvals import Actor, ChangeRequest
from flagcore.domain.identity import User


class ChangeRequestView(msgspec.Struct, frozen=True, kw_only=True):
    request: ChangeRequest
    users: dict[int, User]
    viewer: Actor


class ChangeRequestPage(msgspec.Struct, frozen=True, kw_only=True):
    items: list[ChangeRequestView]
    count: int


class ActionOutcome(msgspec.Struct, frozen=True, kw_only=True):
    """The answer of approve, reject and cancel: PostHog's ``{status, message, change_request, result?}``."""

    status: str
    message: str
    view: ChangeRequestView
    result: dict[str, Any] | None = None
