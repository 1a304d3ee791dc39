"""Wire schemas of the manifest sync API (open-feature/cli ``api/v0/sync.yaml``) and of OFREP (protocol 0.3.0)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

import msgspec

from flagcore.app.openfeature.sync_manifest import ChangeResult, Outcome
from flagcore.domain.openfeature import ManifestFlag, OpenFeatureType
from flagcore.domain.openfeature.ofrep import OfrepEvaluation

# ---- Manifest sync API ----


class ManifestFlagWrite(msgspec.Struct, frozen=True, kw_only=True, rename="camel", forbid_unknown_fields=True):
    """A flag in a POST/PUT body. ``float`` is accepted (the CLI sends it); ``variants`` is a flagcore extension."""

    key: str
    type: OpenFeatureType
    default_value: Any
    description: str | None = None
    name: str | None = None
    variants: list[Any] | None = None

    def to_domain(self) -> ManifestFlag:
        return ManifestFlag(
            key=self.key,
            flag_type=self.type,
            default_value=self.default_value,
            description=self.description if self.description is not None else (self.name or ""),
            variants=tuple(self.variants or ()),
        )


class ManifestFlagOut(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    key: str
    name: str
    type: OpenFeatureType
    description: str
    default_value: Any

    @classmethod
    def of(cls, flag: ManifestFlag) -> ManifestFlagOut:
        return cls(
            key=flag.key,
            name=flag.key,
            type=flag.flag_type,
            description=flag.description,
            default_value=flag.default_value,
        )


class Manifest(msgspec.Struct, frozen=True, kw_only=True):
    flags: list[ManifestFlagOut]


class FlagEnvelope(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    flag: ManifestFlagOut
    updated_at: datetime


class Archived(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    message: str
    archived_at: datetime


class SyncWrite(msgspec.Struct, frozen=True, kw_only=True, rename="camel", forbid_unknown_fields=True):
    """``POST /openfeature/v0/manifest/sync`` (flagcore): a whole manifest applied in one transaction."""

    flags: list[ManifestFlagWrite]
    dry_run: bool = False
    #: Archive live flags the manifest does not list (the CLI's push never deletes; this is opt-in).
    prune: bool = False


class SyncChange(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    key: str
    outcome: Outcome
    after: ManifestFlagOut
    before: ManifestFlagOut | None = None
    #: Dry runs, and only when true: an approval policy would stop this change (the real sync answers 409 with its
    #: change request).
    approval_required: bool | msgspec.UnsetType = msgspec.UNSET

    @classmethod
    def of(cls, result: ChangeResult) -> SyncChange:
        before = ManifestFlagOut.of(result.before) if result.before is not None else None
        return cls(
            key=result.key,
            outcome=result.outcome,
            after=ManifestFlagOut.of(result.flag),
            before=before,
            approval_required=True if result.approval_required else msgspec.UNSET,
        )


class SyncSummary(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    created: int
    updated: int
    unchanged: int
    archived: int
    #: Dry runs only: how many changes an approval policy would stop (a real sync stops at the first one).
    approval_required: int | msgspec.UnsetType = msgspec.UNSET


class SyncOut(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    dry_run: bool
    summary: SyncSummary
    changes: list[SyncChange]
    synced_at: datetime


class ErrorDetail(msgspec.Struct, frozen=True, kw_only=True):
    field: str
    code: str
    message: str


class ErrorInfo(msgspec.Struct, frozen=True, kw_only=True):
    message: str
    status: int
    details: list[ErrorDetail] = msgspec.field(default_factory=list)


class ManifestError(msgspec.Struct, frozen=True, kw_only=True):
    """The sync API's error envelope."""

    error: ErrorInfo


# ---- OFREP ----


class OfrepResult(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    """One flag's result: ``serverEvaluationSuccess``/``evaluationSuccess``, or ``evaluationFailure``/``flagNotFound``.

    One struct for both shapes (OpenAPI needs a single schema); absent (UNSET) members are not sent. A success
    always sends ``reason`` and ``variant`` (the Python provider needs the key), and no ``value`` when the caller's
    code default applies. A failure sends ``errorCode`` and ``errorDetails``.
    """

    key: str
    value: Any | msgspec.UnsetType = msgspec.UNSET
    reason: str | msgspec.UnsetType = msgspec.UNSET
    variant: str | None | msgspec.UnsetType = msgspec.UNSET
    error_code: str | msgspec.UnsetType = msgspec.UNSET
    error_details: str | msgspec.UnsetType = msgspec.UNSET
    metadata: dict[str, str | int | bool] = msgspec.field(default_factory=dict)

    @property
    def failed(self) -> bool:
        return isinstance(self.error_code, str)


class OfrepRequestFailure(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    """``bulkEvaluationFailure`` (and 401/403/503 bodies, which OFREP leaves undefined)."""

    error_code: str
    error_details: str


class OfrepBulk(msgspec.Struct, frozen=True, kw_only=True):
    flags: list[OfrepResult]


class OfrepContextBody(msgspec.Struct, frozen=True, kw_only=True):
    """The request body, for the API documentation (decoded by hand to answer OFREP error codes)."""

    context: dict[str, Any]


def ofrep_item(result: OfrepEvaluation) -> OfrepResult:
    if result.error_code is not None:
        return OfrepResult(
            key=result.key,
            error_code=result.error_code,
            error_details=result.error_details or "",
            metadata=result.metadata,
        )
    return OfrepResult(
        key=result.key,
        reason=result.reason or "UNKNOWN",
        variant=result.variant,
        metadata=result.metadata,
        value=result.value,
    )


ManifestOperation = Literal["create", "update"]
