"""Rendering an evaluation in the response version the client asked for (evaluation spec §10).

| endpoint, ``v``            | shape                                                                      |
|----------------------------|----------------------------------------------------------------------------|
| ``/flags``, absent or 1    | legacy map: ``featureFlags`` (every evaluated flag) + ``featureFlagPayloads`` |
| ``/flags``, 2 or 3         | detailed records ``{key, enabled, variant, reason, metadata, failed?}``     |
| ``/flags``, 4 and above    | typed records ``{key, value, reason, metadata, failed?}`` (posthog-python 7.91) |
| ``/decide``, 1/absent/other | ``featureFlags``: keys of the enabled flags                                 |
| ``/decide``, 2             | ``featureFlags``: key to value of the enabled flags                         |
| ``/decide``, 3             | legacy map                                                                 |
| ``/decide``, 4 and above   | detailed records                                                           |

Every shape carries ``requestId`` (a UUID) and ``evaluatedAt`` (epoch milliseconds); ``?config=true`` (the default
for ``/decide``) adds the configuration keys a client SDK reads at start-up, all features but flags turned off.
A version that is not an integer counts as 1, as the server parses it.
"""

from __future__ import annotations

import enum
from typing import Any, Final

import msgspec
from msgspec import UNSET, UnsetType

from flagcore.app.evaluation.evaluate_flags import FlagsEvaluation
from flagcore.app.evaluation.record_cache import RecordCache
from flagcore.domain.evaluation import FlagResult

_DETAILED_MIN_VERSION: Final = 2
_TYPED_MIN_VERSION: Final = 4
_DECIDE_V2: Final = 2
_DECIDE_LEGACY: Final = 3
_DECIDE_DETAILED_MIN_VERSION: Final = 4
_ENCODER: Final = msgspec.json.Encoder()

#: What a client SDK needs to initialise from a flags-only server: every other product is off.
CLIENT_CONFIG: Final[dict[str, Any]] = {
    "supportedCompression": ["gzip", "gzip-js"],
    "config": {"enable_collect_everything": True},
    "toolbarParams": {},
    "isAuthenticated": False,
    "sessionRecording": False,
    "surveys": False,
    "heatmaps": False,
    "capturePerformance": False,
    "autocaptureExceptions": False,
    "siteApps": [],
}


class Shape(enum.Enum):
    LEGACY = "legacy"
    DETAILED = "detailed"
    TYPED = "typed"
    DECIDE_V1 = "decide_v1"
    DECIDE_V2 = "decide_v2"


def parse_version(raw: str | None) -> int | None:
    """The ``v`` query parameter: ``None`` when absent or empty, 1 when not an integer."""
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        return 1


def response_shape(*, decide: bool, version: int | None) -> Shape:
    """The shape an endpoint answers in for a version."""
    if not decide:
        if version is None or version < _DETAILED_MIN_VERSION:
            return Shape.LEGACY
        return Shape.TYPED if version >= _TYPED_MIN_VERSION else Shape.DETAILED
    if version is not None and version >= _DECIDE_DETAILED_MIN_VERSION:
        return Shape.DETAILED
    return {_DECIDE_V2: Shape.DECIDE_V2, _DECIDE_LEGACY: Shape.LEGACY}.get(version or 1, Shape.DECIDE_V1)


class Reason(msgspec.Struct, omit_defaults=True):
    code: str
    condition_index: int | None
    description: str | UnsetType = UNSET


class Metadata(msgspec.Struct):
    id: int | None
    version: int
    description: None
    payload: Any
    has_experiment: bool


class DetailedFlag(msgspec.Struct, omit_defaults=True):
    key: str
    enabled: bool
    variant: str | None
    reason: Reason
    metadata: Metadata
    failed: bool = False


class TypedMetadata(msgspec.Struct, omit_defaults=True):
    id: int | None
    version: int
    config_version: int
    description: None
    payload: Any
    has_experiment: bool
    variant_key: str | UnsetType = UNSET


class TypedFlag(msgspec.Struct, omit_defaults=True):
    key: str
    value: Any
    reason: Reason
    metadata: TypedMetadata
    failed: bool = False


def _reason(result: FlagResult) -> Reason:
    description = result.description if result.description is not None else UNSET
    return Reason(code=result.reason, condition_index=result.condition_index, description=description)


def detailed_flag(result: FlagResult) -> DetailedFlag:
    """A ``/flags?v=2`` record (no experiments exist here, so ``has_experiment`` is false)."""
    return DetailedFlag(
        key=result.key,
        enabled=result.enabled,
        variant=result.variant,
        reason=_reason(result),
        metadata=Metadata(
            id=result.flag_id,
            version=result.version or 0,
            description=None,
            payload=result.payload,
            has_experiment=False,
        ),
        failed=result.failed,
    )


def typed_flag(result: FlagResult) -> TypedFlag:
    """A ``/flags?v=4`` record: every flag here has the v1 config format, whose value is the variant or ``enabled``."""
    failed = result.failed
    return TypedFlag(
        key=result.key,
        value=None if failed else result.value,
        reason=_reason(result),
        metadata=TypedMetadata(
            id=result.flag_id,
            version=result.version or 0,
            config_version=1,
            description=None,
            payload=result.payload,
            has_experiment=False,
            variant_key=result.variant if result.variant is not None else UNSET,
        ),
        failed=failed,
    )


_detailed_records = RecordCache(detailed_flag)
_typed_records = RecordCache(typed_flag)


def render(evaluation: FlagsEvaluation, shape: Shape, *, request_id: str, config: bool) -> bytes:
    """The JSON body of a ``/flags`` or ``/decide`` response (records are keyed by their results' keys)."""
    flags = evaluation.flags
    body: dict[str, Any]
    if shape is Shape.TYPED:
        body = {"flags": msgspec.Raw(b"{" + _typed_records.members(flags.values()) + b"}")}
    elif shape is Shape.DETAILED:
        body = {"flags": msgspec.Raw(b"{" + _detailed_records.members(flags.values()) + b"}")}
    elif shape is Shape.LEGACY:
        body = {
            "featureFlags": {key: result.value for key, result in flags.items()},
            "featureFlagPayloads": {key: r.payload for key, r in flags.items() if r.payload is not None},
        }
    elif shape is Shape.DECIDE_V2:
        body = {"featureFlags": {key: result.value for key, result in flags.items() if result.enabled}}
    else:
        body = {"featureFlags": [key for key, result in flags.items() if result.enabled]}
    # The decide v1/v2 shapes predate the error flag and never carried it.
    if shape not in (Shape.DECIDE_V1, Shape.DECIDE_V2):
        body["errorsWhileComputingFlags"] = evaluation.errors_while_computing_flags
    if evaluation.quota_limited:
        body["quotaLimited"] = list(evaluation.quota_limited)
    body["requestId"] = request_id
    body["evaluatedAt"] = int(evaluation.evaluated_at.timestamp() * 1000)
    if config:
        body.update(CLIENT_CONFIG)
        body["hasFeatureFlags"] = bool(flags)
    return _ENCODER.encode(body)
