"""The admin UI's signed-in user: session cookie, CSRF token, and access to projects and organizations.

A page gets :class:`UiUser` from dishka; it is resolved from the session cookie once per request. Every POST must
carry the session's CSRF token in its ``csrf_token`` field (checked here, before the handler runs). Projects and
organizations are then reached through the same ``Authorize`` as the API, with the session standing in for a
personal key of every scope: membership decides, and another organization's project is "not found".
"""

from __future__ import annotations

import hmac
from typing import Any, Final

import msgspec
from litestar import Request

from flagcore.app.identity.authorize import Access, Authorize, OrganizationAccess, ProjectRef, UserAccess
from flagcore.domain.identity import PersonalApiKey, Principal, User
from flagcore.domain.identity.sign_in import UiSession

SESSION_COOKIE: Final = "flagcore_session"
#: Before sign-in there is no session: the sign-in form's CSRF token is a cookie of its own (double submit).
SIGN_IN_CSRF_COOKIE: Final = "flagcore_sign_in_csrf"
CSRF_FIELD: Final = "csrf_token"
UI_PREFIX: Final = "/ui"


class SignInRequiredError(Exception):
    """No live session: the UI answers with a redirect to the sign-in page."""

    def __init__(self, next_path: str) -> None:
        super().__init__("sign in required")
        self.next_path = next_path


class CsrfError(Exception):
    """A form without the session's CSRF token (403)."""


class UiUser(msgspec.Struct, frozen=True, kw_only=True):
    user: User
    session: UiSession

    @property
    def key(self) -> PersonalApiKey:
        # Not a stored key: it lets the session be checked by the same Authorize as a personal key of every scope,
        # so the UI reaches exactly the organizations and projects its user is a member of.
        return PersonalApiKey(
            id="ui-session",
            user_id=self.user.id,
            label="admin UI session",
            secure_value="",
            mask_value="",
            scopes=("*",),
            created_at=self.session.created_at,
        )

    @property
    def principal(self) -> Principal:
        return Principal(user=self.user, key=self.key)

    @property
    def user_access(self) -> UserAccess:
        return UserAccess(user=self.user, key=self.key)

    @property
    def csrf(self) -> str:
        return self.session.csrf_token

    async def form(self, request: Request[Any, Any, Any]) -> dict[str, Any]:
        """The POSTed form, once its CSRF token is checked against this session's (else CsrfError, 403)."""
        fields = await form_data(request)
        check_csrf(self.session.csrf_token, fields)
        return fields

    async def project(self, authorize: Authorize, project_id: int, scope: str = "feature_flag:write") -> Access:
        """The user's access to the project. Raises ProjectNotFoundError for another organization's project."""
        return await authorize.personal(self.principal, ProjectRef(path=str(project_id)), scope=scope)

    async def organization(
        self, authorize: Authorize, organization_id: str, scope: str = "organization:read"
    ) -> OrganizationAccess:
        return await authorize.organization(self.principal, organization_id, scope=scope)


def check_csrf(expected: str, form: dict[str, Any]) -> None:
    """Raises CsrfError unless the form carries ``expected`` (compared in constant time)."""
    sent = form.get(CSRF_FIELD)
    if not isinstance(sent, str) or not expected or not hmac.compare_digest(sent, expected):
        raise CsrfError


async def form_data(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """The request's form fields (a field sent several times keeps its last value)."""
    return dict((await request.form()).items())
