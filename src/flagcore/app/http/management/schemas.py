"""Wire schemas of the flag management API (PostHog's JSON, snake_case), and small mappers to the domain."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

import msgspec

from flagcore.app.flags.changes import FlagChanges
from flagcore.domain.flags import FeatureFlag
from flagcore.domain.flags.encryption import redacted
from flagcore.domain.flags.parsing import filters_as_served
from flagcore.domain.identity import User

UNSET = msgspec.UNSET
Unset = msgspec.UnsetType


class UserBasic(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    uuid: str
    distinct_id: str
    first_name: str
    last_name: str
    email: str
    is_email_verified: bool = False
    hedgehog_config: None = None
    role_at_organization: None = None

    @classmethod
    def of(cls, user: User) -> UserBasic:
        return cls(
            id=user.id,
            uuid=user.uuid,
            distinct_id=user.distinct_id,
            first_name=user.first_name,
            last_name=user.last_name,
            email=user.email,
        )


class Flag(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    name: str
    key: str
    filters: dict[str, Any]
    deleted: bool
    active: bool
    created_by: UserBasic | None
    created_at: datetime
    updated_at: datetime | None
    version: int
    last_modified_by: UserBasic | None
    ensure_experience_continuity: bool
    tags: list[str]
    evaluation_tags: list[str]
    is_remote_configuration: bool
    has_encrypted_payloads: bool
    evaluation_runtime: str
    bucketing_identifier: str
    can_edit: bool = True


class FlagList(msgspec.Struct, frozen=True, kw_only=True):
    count: int
    next: str | None
    previous: str | None
    results: list[Flag]


class FlagWrite(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Body of POST, PUT and PATCH. Omitted fields are ``UNSET`` (PATCH keeps them; POST uses defaults).

    Read-only fields that PostHog clients echo back from a GET (id, timestamps, users, ...) are accepted and ignored,
    as DRF does; any other unknown field is an error rather than being dropped silently.
    """

    key: str | Unset = UNSET
    name: str | Unset = UNSET
    filters: dict[str, Any] | Unset = UNSET
    active: bool | Unset = UNSET
    deleted: bool | Unset = UNSET
    ensure_experience_continuity: bool | Unset = UNSET
    evaluation_runtime: Literal["server", "client", "all"] | Unset = UNSET
    bucketing_identifier: Literal["distinct_id", "device_id"] | Unset = UNSET
    is_remote_configuration: bool | Unset = UNSET
    has_encrypted_payloads: bool | Unset = UNSET
    tags: list[str] | Unset = UNSET
    evaluation_tags: list[str] | Unset = UNSET
    version: int | None | Unset = UNSET
    # Accepted and ignored (read-only or UI bookkeeping in PostHog).
    id: Any = UNSET
    created_at: Any = UNSET
    created_by: Any = UNSET
    updated_at: Any = UNSET
    last_modified_by: Any = UNSET
    can_edit: Any = UNSET
    status: Any = UNSET
    original_flag: Any = UNSET
    creation_context: Any = UNSET
    create_in_folder: Any = msgspec.field(default=UNSET, name="_create_in_folder")
    should_create_usage_dashboard: Any = msgspec.field(default=UNSET, name="_should_create_usage_dashboard")

    def changes(self) -> FlagChanges:
        return FlagChanges(
            key=self.key,
            name=self.name,
            filters=self.filters,
            active=self.active,
            deleted=self.deleted,
            ensure_experience_continuity=self.ensure_experience_continuity,
            evaluation_runtime=self.evaluation_runtime,
            bucketing_identifier=self.bucketing_identifier,
            is_remote_configuration=self.is_remote_configuration,
            has_encrypted_payloads=self.has_encrypted_payloads,
            tags=self.tags,
            evaluation_tags=self.evaluation_tags,
        )

    @property
    def expected_version(self) -> int | None:
        return self.version if isinstance(self.version, int) else None


def flag_to_wire(flag: FeatureFlag, users: dict[int, User]) -> Flag:
    def basic(user_id: int | None) -> UserBasic | None:
        user = users.get(user_id) if user_id is not None else None
        return UserBasic.of(user) if user is not None else None

    return Flag(
        id=flag.id,
        name=flag.name,
        key=flag.key,
        filters=filters_as_served(redacted(flag.filters) if flag.has_encrypted_payloads else flag.filters),
        deleted=flag.deleted,
        active=flag.active,
        created_by=basic(flag.created_by_id),
        created_at=flag.created_at,
        updated_at=flag.updated_at,
        version=flag.version,
        last_modified_by=basic(flag.last_modified_by_id),
        ensure_experience_continuity=flag.ensure_experience_continuity,
        tags=list(flag.tags),
        evaluation_tags=list(flag.evaluation_tags),
        is_remote_configuration=flag.is_remote_configuration,
        has_encrypted_payloads=flag.has_encrypted_payloads,
        evaluation_runtime=flag.evaluation_runtime,
        bucketing_identifier=flag.bucketing_identifier,
    )
