"""A change request as a person reads it: what it changes (field by field), why it was gated, who may act on it.

Presentation only: who may vote or cancel is the domain's answer (``caller_view``, ``check_may_vote``), read here,
never decided again.
"""

from __future__ import annotations

from typing import Any, Final

import msgspec

from flagcore.app.approvals.views import ChangeRequestView
from flagcore.app.http.ui.history import field_rows, show
from flagcore.domain.activity.model import FieldChange
from flagcore.domain.approvals import ChangeRequest, ChangeRequestForbiddenError, ChangeRequestState
from flagcore.domain.approvals.lifecycle import caller_view, check_may_vote
from flagcore.domain.identity import User

ACTIONS: Final = {
    "feature_flag.enable": "Enable the flag",
    "feature_flag.disable": "Disable the flag",
    "feature_flag.update": "Change the rollout",
}
#: The list's state filter: ``""`` is every state with the pending ones first.
STATES: Final = tuple(s.value for s in ChangeRequestState)
LEVELS: Final = {1: "member", 8: "admin", 15: "owner"}
#: The order fields are listed in (the flag's own order); anything else follows, sorted.
_FIELD_ORDER: Final = ("key", "name", "active", "deleted", "filters", "tags", "evaluation_tags")
_UNRECORDED = object()
#: Shown values that all mean "nothing there" (a missing key, null, an empty object or list): not a change.
_NOTHING: Final = frozenset({"—", "{}", "[]"})


class VoteRow(msgspec.Struct, frozen=True, kw_only=True):
    who: str
    decision: str
    reason: str
    at: Any


class RequestPage(msgspec.Struct, frozen=True, kw_only=True):
    """Everything the detail and list templates show of one request."""

    request: ChangeRequest
    flag_key: str
    action: str
    requester: str
    #: ``(field, before, after)`` of the requested change.
    changes: list[tuple[str, str, str]]
    #: ``(path, before, after)`` of what the policy gated.
    gated: list[tuple[str, str, str]]
    approvers: str
    votes: list[VoteRow]
    can_approve: bool
    can_cancel: bool
    #: Why the viewer may not vote on a pending request (the domain's message), else "".
    vote_refusal: str


def _name(users: dict[int, User], user_id: int | None) -> str:
    user = users.get(user_id) if user_id is not None else None
    if user is not None:
        return user.email
    return "the system" if user_id is None else f"user {user_id}"


def _ordered(fields: list[str]) -> list[str]:
    known = [f for f in _FIELD_ORDER if f in fields]
    return known + sorted(f for f in fields if f not in _FIELD_ORDER)


def requested_changes(request: ChangeRequest) -> list[tuple[str, str, str]]:
    """The write's sent fields against the flag's state it was made on; unchanged leaves are left out.

    A PATCH merges ``filters`` key by key, so its ``after`` is the stored filters with the sent keys replaced.
    Requests made before the gate recorded every sent field show such a field's before as "not recorded".
    """
    intent = request.intent
    state: dict[str, Any] = intent.get("current_state") or {}
    sent: dict[str, Any] = intent.get("full_request_data") or {}
    rows: list[tuple[str, str, str]] = []
    for field in _ordered(list(sent)):
        before, after = state.get(field, _UNRECORDED), sent[field]
        if before is _UNRECORDED:
            rows.append((field, "not recorded", show(after)))
            continue
        if field == "filters" and not intent.get("full_update") and isinstance(before, dict):
            after = {**before, **after} if isinstance(after, dict) else after
        change = FieldChange(type="FeatureFlag", action="changed", field=field, before=before, after=after)
        rows.extend(row for row in field_rows(change) if row[1] != row[2] and not {row[1], row[2]} <= _NOTHING)
    return rows


def gated_changes(request: ChangeRequest) -> list[tuple[str, str, str]]:
    """What the policy looked at (``intent_display``): each gated path's before and after."""
    rows = []
    for field, changes in request.intent_display.items():
        if field in ("flag_key", "action") or not isinstance(changes, list):
            continue
        for change in changes:
            if isinstance(change, dict):
                path = str(change.get("path", field))
                label = path if path == field else f"{field} at {path}"
                rows.append((label, show(change.get("before")), show(change.get("after"))))
    return rows


def approvers(snapshot: dict[str, Any], users: dict[int, User]) -> str:
    """Who may approve, from the policy as it was when the request was made."""
    who = [_name(users, u) for u in snapshot.get("users") or []]
    who += [f"any {LEVELS.get(r, f'level {r}')}" for r in snapshot.get("roles") or []]
    quorum = snapshot.get("quorum", 1)
    needs = f"{quorum} approval{'s' if quorum != 1 else ''}"
    return f"{needs} from {', '.join(who)}" if who else f"{needs} (no approver named)"


def request_page(view: ChangeRequestView, members: dict[int, User] | None = None) -> RequestPage:
    """The request as its pages show it to the view's viewer.

    ``members``: the organization's users, to name the approvers a policy lists (the view has only the requester
    and the voters).
    """
    request, users = view.request, {**(members or {}), **view.users}
    flags = caller_view(request, view.viewer)
    refusal = ""
    if request.state is ChangeRequestState.PENDING and not flags["can_approve"]:
        if flags["user_decision"] is not None:
            refusal = f"You have already voted on this change request ({flags['user_decision']})."
        else:
            try:
                check_may_vote(request, view.viewer)
            except ChangeRequestForbiddenError as exc:
                refusal = exc.detail
    return RequestPage(
        request=request,
        flag_key=str(request.intent.get("flag_key") or request.intent_display.get("flag_key") or request.resource_id),
        action=ACTIONS.get(request.action_key, request.action_key),
        requester=_name(users, request.created_by_id),
        changes=requested_changes(request),
        gated=gated_changes(request),
        approvers=approvers(request.policy_snapshot, users),
        votes=[
            VoteRow(who=_name(users, v.user_id), decision=v.decision, reason=v.reason, at=v.created_at)
            for v in request.votes
        ],
        can_approve=bool(flags["can_approve"]),
        can_cancel=bool(flags["can_cancel"]),
        vote_refusal=refusal,
    )
