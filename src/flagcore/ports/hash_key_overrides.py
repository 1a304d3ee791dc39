"""Storage of experience-continuity hash keys (PostHog's ``FeatureFlagHashKeyOverride``).

A flag with ``ensure_experience_continuity`` keeps bucketing a person on the identifier they had before they were
identified. The first ``/flags`` request carrying ``$anon_distinct_id`` records that anonymous id as the hash key of
each such flag; later requests hash it instead of the distinct id, so the person keeps their variant.

There are no persons yet (a later milestone maps several distinct ids to one person), so overrides are keyed by
distinct id, and callers store them under every id of the person they know (the distinct id and the anonymous id).
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping, Sequence
from typing import Protocol


class HashKeyOverrideRepo(Protocol):
    """Per project, per distinct id, per flag key: the hash key to bucket on. Written once, never changed.

    Any text is stored and returned unchanged (NUL included); distinct ids and flag keys may be up to 1,000
    characters long (callers truncate distinct ids to the server's 200), hash keys any length.
    """

    @abstractmethod
    async def get(self, project_id: int, distinct_ids: Sequence[str]) -> dict[str, str]:
        """The stored hash keys of these distinct ids, by flag key.

        Args:
            project_id: the project.
            distinct_ids: the ids to look up, by priority: when several ids have a hash key for the same flag,
                the one of the earliest id in the sequence wins (the server prefers the identified id's overrides).

        Returns:
            Flag key to hash key; empty when none of the ids has any. Other projects' overrides are never returned.

        Raises:
            BackendUnavailableError: the store cannot be reached.
        """
        ...

    @abstractmethod
    async def set_missing(self, project_id: int, distinct_ids: Sequence[str], overrides: Mapping[str, str]) -> None:
        """Store ``overrides`` (flag key to hash key) for each distinct id, keeping any hash key already stored.

        An id that already has a hash key for a flag keeps it: nothing is ever overwritten. The call is atomic (all
        of its pairs are written together) and idempotent; when concurrent calls race for the same pairs, the
        first call wins them all and no call fails, so every id of the person ends up with the same hash key.

        Args:
            project_id: the project.
            distinct_ids: every id the overrides belong to (duplicates are ignored).
            overrides: flag key to hash key (an empty mapping writes nothing).

        Raises:
            BackendUnavailableError: the store cannot be reached.
        """
        ...
