"""Use case: a project's local-evaluation definitions, encoded once, with an ETag that changes with the content."""

from __future__ import annotations

import hashlib

import msgspec

from flagcore.domain.flags.feed import build_definitions
from flagcore.domain.identity import Project
from flagcore.ports.flags import FlagQuery, FlagRepo

# Every live flag of the project in one read; the feed is the whole project by definition.
_ALL = FlagQuery(order="key", limit=2**31 - 1)
_ENCODER = msgspec.json.Encoder()


class EncodedDefinitions(msgspec.Struct, frozen=True):
    """The feed as bytes, ready to send, and its (weak) entity tag without ``W/`` and quotes."""

    body: bytes
    etag: str


class LoadDefinitions:
    """Build the definitions feed of a project from the flag store.

    The snapshot cache (a later milestone) slots in behind this use case: callers only see encoded bytes and an ETag.
    """

    def __init__(self, flags: FlagRepo) -> None:
        self._flags = flags

    async def execute(self, project: Project, *, with_cohorts: bool) -> EncodedDefinitions:
        """The encoded feed. ``with_cohorts`` asks for the ``cohorts`` map (no cohort store exists yet: empty)."""
        page = await self._flags.list(project.id, _ALL)
        # Deleted flags are already excluded by list(); inactive ones are included, as the feed requires.
        document = build_definitions(page.items, group_type_mapping={}, cohorts={})
        body = _ENCODER.encode(document)
        # The cohort switch is part of the tag so the two variants of the feed never share one.
        digest = hashlib.blake2b(body, digest_size=16, person=b"cohorts" if with_cohorts else b"plain")
        return EncodedDefinitions(body=body, etag=digest.hexdigest())
