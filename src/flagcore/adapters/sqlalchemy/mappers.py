"""Explicit mapping between ORM rows and domain structs."""

from __future__ import annotations

from typing import Any

import msgspec

from flagcore.adapters.sqlalchemy.orm import (
    FlagRow,
    MembershipRow,
    OrganizationRow,
    PersonalApiKeyRow,
    ProjectRow,
    ProjectSecretKeyRow,
    UserRow,
)
from flagcore.domain.flags import FeatureFlag, Filters, NewFlag
from flagcore.domain.flags.status import is_fully_rolled_out
from flagcore.domain.identity import (
    Membership,
    MembershipLevel,
    Organization,
    PersonalApiKey,
    Project,
    ProjectSecretKey,
    User,
)


def flag_from_row(row: FlagRow) -> FeatureFlag:
    return FeatureFlag(
        id=row.id,
        project_id=row.project_id,
        key=row.key,
        name=row.name,
        filters=msgspec.convert(row.filters, Filters),
        active=row.active,
        deleted=row.deleted,
        version=row.version,
        ensure_experience_continuity=row.ensure_experience_continuity,
        evaluation_runtime=row.evaluation_runtime,
        bucketing_identifier=row.bucketing_identifier,
        is_remote_configuration=row.is_remote_configuration,
        has_encrypted_payloads=row.has_encrypted_payloads,
        tags=tuple(row.tags),
        evaluation_tags=tuple(row.evaluation_tags),
        created_at=row.created_at,
        updated_at=row.updated_at,
        created_by_id=row.created_by_id,
        last_modified_by_id=row.last_modified_by_id,
    )


def flag_values(flag: FeatureFlag | NewFlag) -> dict[str, Any]:
    """Column values that creating and updating ``flag`` both write (not id, version, deleted or timestamps)."""
    return {
        "project_id": flag.project_id,
        "key": flag.key,
        "name": flag.name,
        "filters": msgspec.to_builtins(flag.filters),
        "is_multivariate": bool(flag.filters.variant_keys),
        "is_rolled_out": is_fully_rolled_out(flag.filters),
        "active": flag.active,
        "ensure_experience_continuity": flag.ensure_experience_continuity,
        "evaluation_runtime": flag.evaluation_runtime,
        "bucketing_identifier": flag.bucketing_identifier,
        "is_remote_configuration": flag.is_remote_configuration,
        "has_encrypted_payloads": flag.has_encrypted_payloads,
        "tags": list(flag.tags),
        "evaluation_tags": list(flag.evaluation_tags),
        "created_by_id": flag.created_by_id,
    }


def organization_from_row(row: OrganizationRow) -> Organization:
    return Organization(id=row.id, name=row.name, created_at=row.created_at)


def project_from_row(row: ProjectRow) -> Project:
    return Project(
        id=row.id,
        organization_id=row.organization_id,
        name=row.name,
        api_token=row.api_token,
        timezone=row.timezone,
        created_at=row.created_at,
    )


def user_from_row(row: UserRow) -> User:
    return User(
        id=row.id,
        uuid=row.uuid,
        email=row.email,
        first_name=row.first_name,
        last_name=row.last_name,
        distinct_id=row.distinct_id,
        current_project_id=row.current_project_id,
        created_at=row.created_at,
    )


def membership_from_row(row: MembershipRow) -> Membership:
    return Membership(
        organization_id=row.organization_id,
        user_id=row.user_id,
        level=MembershipLevel(row.level),
        joined_at=row.joined_at,
    )


def api_key_from_row(row: PersonalApiKeyRow) -> PersonalApiKey:
    return PersonalApiKey(
        id=row.id,
        user_id=row.user_id,
        label=row.label,
        secure_value=row.secure_value,
        mask_value=row.mask_value,
        scopes=tuple(row.scopes),
        created_at=row.created_at,
        last_used_at=row.last_used_at,
        scoped_teams=tuple(row.scoped_teams or ()),
        scoped_organizations=tuple(row.scoped_organizations or ()),
    )


def secret_key_from_row(row: ProjectSecretKeyRow) -> ProjectSecretKey:
    return ProjectSecretKey(
        id=row.id,
        project_id=row.project_id,
        label=row.label,
        secure_value=row.secure_value,
        mask_value=row.mask_value,
        created_at=row.created_at,
    )
