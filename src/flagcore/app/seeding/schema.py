"""The seed file, as msgspec Structs: decoding reports the path of a bad value (``$.organizations[0].name``).

A misspelt field is an error, not silently dropped.

Flags are written as the management API's create bodies (the same Struct the API decodes), so a seed accepts
exactly what ``POST /api/projects/{id}/feature_flags/`` accepts. A project may give its flags in two more formats:
``definitions`` (the local-evaluation definitions feed) and ``openfeature`` (the OpenFeature CLI's manifest).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec

from flagcore.app.http.management.schemas import FlagWrite

ProjectToken = Annotated[str, msgspec.Meta(pattern=r"^phc_[A-Za-z0-9_\-]{8,200}$")]
SecretKey = Annotated[str, msgspec.Meta(pattern=r"^phs_[A-Za-z0-9_\-]{8,200}$")]
PersonalKey = Annotated[str, msgspec.Meta(pattern=r"^phx_[A-Za-z0-9_\-]{8,200}$")]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=400)]


class SeedPersonalKey(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    value: PersonalKey
    scopes: list[str] = msgspec.field(default_factory=lambda: ["*"])
    label: str = "seed"


class SeedUser(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    email: Name
    level: Literal["member", "admin", "owner"] = "member"
    first_name: str = ""
    personal_api_keys: list[SeedPersonalKey] = msgspec.field(default_factory=list)


class SeedCohort(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    name: Name
    #: What this seed's flags (and other cohorts) use as the cohort's id in their filters; rewritten to the id the
    #: cohort gets. Optional when nothing refers to the cohort.
    id: int | None = None
    description: str = ""
    filters: dict[str, Any] | None = None
    is_static: bool = False
    #: Distinct ids of a static cohort's members (each must be one of the seed's persons).
    members: list[str] = msgspec.field(default_factory=list)


class SeedPerson(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    distinct_ids: Annotated[list[str], msgspec.Meta(min_length=1)]
    properties: dict[str, Any] = msgspec.field(default_factory=dict)


class FeedFlag(msgspec.Struct, frozen=True, kw_only=True):
    """A flag of the definitions feed; the feed's read-only fields (id, team_id, version, ...) are ignored."""

    key: str
    filters: dict[str, Any] = msgspec.field(default_factory=dict)
    name: str = ""
    active: bool = True
    deleted: bool = False
    ensure_experience_continuity: bool = False
    evaluation_runtime: Literal["server", "client", "all"] = "all"
    bucketing_identifier: Literal["distinct_id", "device_id"] = "distinct_id"
    evaluation_tags: list[str] = msgspec.field(default_factory=list)


class FeedDocument(msgspec.Struct, frozen=True, kw_only=True):
    """The local-evaluation definitions feed (``/api/feature_flag/local_evaluation``)."""

    flags: list[FeedFlag]
    group_type_mapping: dict[str, str] = msgspec.field(default_factory=dict)
    cohorts: dict[str, dict[str, Any]] = msgspec.field(default_factory=dict)


class ManifestEntry(msgspec.Struct, frozen=True, kw_only=True):
    flag_type: Literal["boolean", "string", "integer", "float", "object"] = msgspec.field(name="flagType")
    default_value: Any = msgspec.field(name="defaultValue")
    description: str = ""


class ManifestDocument(msgspec.Struct, frozen=True, kw_only=True):
    """The OpenFeature CLI's ``flags.json``: ``{"flags": {key: {flagType, defaultValue, description}}}``."""

    flags: dict[str, ManifestEntry]
    schema: str | None = msgspec.field(default=None, name="$schema")


class SeedProject(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    name: Name
    #: The public project API key SDKs send (fixed, so tests know it); omitted: a fresh one, printed at start-up.
    api_token: ProjectToken | None = None
    secret_api_keys: list[SecretKey] = msgspec.field(default_factory=list)
    timezone: str = "UTC"
    #: Group type names, in index order (0 to 4).
    group_types: list[str] = msgspec.field(default_factory=list)
    persons: list[SeedPerson] = msgspec.field(default_factory=list)
    cohorts: list[SeedCohort] = msgspec.field(default_factory=list)
    flags: list[FlagWrite] = msgspec.field(default_factory=list)
    definitions: FeedDocument | None = None
    openfeature: ManifestDocument | None = None


class SeedOrganization(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    name: Name
    users: list[SeedUser] = msgspec.field(default_factory=list)
    projects: list[SeedProject] = msgspec.field(default_factory=list)


class SeedDocument(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    organizations: Annotated[list[SeedOrganization], msgspec.Meta(min_length=1)]
    #: Ignored: lets a seed file name its JSON schema or carry a comment.
    comment: Any = msgspec.field(default=None, name="$comment")
