"""Flag evaluation engine (pure): compile a project snapshot once, evaluate many subjects.

Typical use::

    snapshot = compile_snapshot(definitions_json, timezone="Europe/Paris")
    results = snapshot.evaluate(Subject(distinct_id="user-1", person_properties={...}), now=now)

Design choices (see also spec §3.1):

- Inactive flags are compiled (dependents read them as ``false``) but never evaluated; they are omitted from
  ``evaluate`` results, as the server omits them from every response.
- Flags hidden by runtime or evaluation contexts are omitted too, and likewise read as ``false`` by dependents.
- With ``flag_keys``, the requested flags *and* the flags they depend on are evaluated and returned.
"""

from flagcore.domain.evaluation.bucketing import bucket_hash, hash01, normalize_identifier
from flagcore.domain.evaluation.model import FLAG_DATA_PARSING_ERROR, FlagResult, FlagValue, Reason, Subject
from flagcore.domain.evaluation.project import compile_snapshot
from flagcore.domain.evaluation.runtime import Runtime, detect_runtime, is_flag_visible, runtime_from_user_agent
from flagcore.domain.evaluation.snapshot import CompiledSnapshot, EvaluationPlan

__all__ = (
    "FLAG_DATA_PARSING_ERROR",
    "CompiledSnapshot",
    "EvaluationPlan",
    "FlagResult",
    "FlagValue",
    "Reason",
    "Runtime",
    "Subject",
    "bucket_hash",
    "compile_snapshot",
    "detect_runtime",
    "hash01",
    "is_flag_visible",
    "normalize_identifier",
    "runtime_from_user_agent",
)
