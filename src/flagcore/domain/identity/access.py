"""Who is calling (the principal) and what a route lets them reach (its access rule and target).

Authentication turns credentials into a :class:`Principal` once per request; authorization then checks the
principal against the target the route declares: a project, an organization, or nothing beyond the caller.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

import msgspec

from flagcore.domain.identity.model import PersonalApiKey, Project, User

#: A project or organization reference meaning "the caller's own": the user's current one, or the secret key's.
CURRENT: Final = "@current"


class Target(StrEnum):
    """What a route acts on, and so what the caller must have access to."""

    #: Anyone may call (liveness, readiness, schema).
    PUBLIC = "public"
    #: Operator routes (metrics, status): anyone, or only the operator token's bearer when one is configured.
    OPERATOR = "operator"
    #: Flag evaluation: the project's public key in the request is all the caller proves.
    PROJECT_TOKEN = "project_token"  # noqa: S105 - a rule name, not a secret
    #: One project: a member of its organization with the scope (or the project's own secret key, where allowed).
    PROJECT = "project"
    #: One organization: a member with the scope.
    ORGANIZATION = "organization"
    #: The authenticated caller's own resources (their keys, their profile): a valid personal key with the scope.
    USER = "user"
    #: The admin UI: a signed-in browser session (cookie); the pages then check membership of what they show.
    SESSION = "session"


class AccessRule(msgspec.Struct, frozen=True, kw_only=True):
    """Who may call a route: declared on every route, checked before its handler runs."""

    target: Target
    #: The personal API key scope required (``feature_flag:read``...); None when the target needs none.
    scope: str | None = None
    #: Whether the project's own secret key (``phs_``) may call instead of a personal key.
    secret_key: bool = False

    def describe(self) -> str:
        """The rule in words, for the API documentation."""
        if self.target is Target.PUBLIC:
            return "public"
        if self.target is Target.PROJECT_TOKEN:
            return "project api key in request"
        if self.target is Target.OPERATOR:
            return "operator token when FLAGCORE_METRICS_TOKEN is set, else public"
        if self.target is Target.SESSION:
            return "signed-in admin UI session (cookie), member of the organization shown"
        who = f"personal API key with {self.scope}" if self.scope else "personal API key"
        if self.secret_key:
            who += " or the project's secret key"
        return f"{who} ({self.target.value})"


class Principal(msgspec.Struct, frozen=True, kw_only=True):
    """An authenticated caller: a user through a personal API key, or a project through its secret key."""

    user: User | None = None
    key: PersonalApiKey | None = None
    #: The project whose secret key authenticated the call.
    secret_key_project: Project | None = None
