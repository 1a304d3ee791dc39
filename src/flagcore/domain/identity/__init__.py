"""Identity and access: organizations, projects, users, memberships and API keys."""

from flagcore.domain.identity.access import CURRENT, AccessRule, Principal, Target
from flagcore.domain.identity.errors import (
    InvalidCredentialsError,
    MissingScopeError,
    NotAuthenticatedError,
    ProjectNotFoundError,
    SecretKeyNotAllowedError,
)
from flagcore.domain.identity.model import (
    Membership,
    MembershipLevel,
    Organization,
    PersonalApiKey,
    Project,
    ProjectSecretKey,
    User,
)
from flagcore.domain.identity.scopes import has_scope, validate_scopes
from flagcore.domain.identity.secrets import (
    PERSONAL_API_KEY_PREFIX,
    PROJECT_API_KEY_PREFIX,
    PROJECT_SECRET_KEY_PREFIX,
    build_token,
    hash_secret,
    mask_secret,
)

__all__ = (
    "CURRENT",
    "PERSONAL_API_KEY_PREFIX",
    "PROJECT_API_KEY_PREFIX",
    "PROJECT_SECRET_KEY_PREFIX",
    "AccessRule",
    "InvalidCredentialsError",
    "Membership",
    "MembershipLevel",
    "MissingScopeError",
    "NotAuthenticatedError",
    "Organization",
    "PersonalApiKey",
    "Principal",
    "Project",
    "ProjectNotFoundError",
    "ProjectSecretKey",
    "SecretKeyNotAllowedError",
    "Target",
    "User",
    "build_token",
    "has_scope",
    "hash_secret",
    "mask_secret",
    "validate_scopes",
)
