"""PostHog's Python SDK (posthog==7.91.1) as a local-evaluation oracle, driven without any network."""

from __future__ import annotations

from typing import Any

from posthog.client import Client
from posthog.feature_flags import InconclusiveMatchError, RequiresServerEvaluation

#: The SDK's answer for one flag: (value, payload), or None when it cannot decide locally.
OracleAnswer = tuple[Any, Any] | None


class PosthogOracle:
    """Evaluates a definitions document with the SDK's local evaluator, one flag at a time."""

    def __init__(self, definitions: dict[str, Any]) -> None:
        # send=False and no personal API key: no consumer thread, no poller, no request.
        self._client = Client("phc_differential", send=False, sync_mode=True, enable_local_evaluation=False)
        self._client._update_flag_state(
            {
                "flags": definitions["flags"],
                "group_type_mapping": definitions.get("group_type_mapping", {}),
                "cohorts": definitions.get("cohorts", {}),
            }
        )
        self._flags = list(definitions["flags"])

    def evaluate(self, subject: dict[str, Any]) -> dict[str, OracleAnswer]:
        """Every flag's answer for a subject (same keys as the engine's subject objects)."""
        return {flag["key"]: self.evaluate_one(flag, subject) for flag in self._flags}

    def evaluate_one(self, flag: dict[str, Any], subject: dict[str, Any]) -> OracleAnswer:
        """One flag's answer for a subject."""
        try:
            value = self._client._compute_flag_locally(
                flag,
                subject["distinct_id"],
                groups=subject.get("groups") or {},
                person_properties=subject.get("person_properties") or {},
                group_properties=subject.get("group_properties") or {},
                warn_on_unknown_groups=False,
                device_id=subject.get("device_id"),
            )
        except (InconclusiveMatchError, RequiresServerEvaluation):
            return None
        return value, self._client._compute_payload_locally(flag["key"], value)

    def evaluate_all(self, subject: dict[str, Any]) -> Any:
        """The SDK's public bulk local evaluation (what an application calls), for the benchmark."""
        return self._client.get_all_flags_and_payloads(
            subject["distinct_id"],
            groups=subject.get("groups") or {},
            person_properties=subject.get("person_properties") or {},
            group_properties=subject.get("group_properties") or {},
            only_evaluate_locally=True,
            disable_geoip=True,
        )
