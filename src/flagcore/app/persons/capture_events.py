"""Use case: accept a capture request's events and queue them for ingestion (persons spec §1.3, §1.4).

Nothing is written on the request path: the events are validated, resolved to their project and put in the
queue as one unit. Events with a token that names no project are accepted and dropped, as PostHog's capture
accepts any well-formed token and drops unknown ones downstream (an SDK must not log errors for them).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec

from flagcore.domain.persons import IngestEvent
from flagcore.domain.persons.capture import read_events
from flagcore.ports.event_queue import EventQueue
from flagcore.ports.identity import ProjectRepo


class CaptureCommand(msgspec.Struct, frozen=True, kw_only=True):
    """The decoded request: its events (raw JSON objects) and the batch-level token, if any."""

    events: Sequence[dict[str, Any]]
    token: str | None = None


class CaptureResult(msgspec.Struct, frozen=True, kw_only=True):
    accepted: int
    dropped: int


class CaptureEvents:
    def __init__(self, projects: ProjectRepo, queue: EventQueue) -> None:
        self._projects = projects
        self._queue = queue

    async def execute(self, cmd: CaptureCommand) -> CaptureResult:
        """Validate and queue the events.

        Raises:
            InvalidInputError: an event without a name or distinct id (400; nothing is queued).
            CaptureTokenError: no token, inconsistent tokens, or a malformed one (401).
            QueueFullError: the ingestion queue cannot take them now (503; nothing is queued).
        """
        token, events = read_events(cmd.events, cmd.token)
        if not events:
            return CaptureResult(accepted=0, dropped=len(cmd.events))
        project = await self._projects.get_by_api_token(token)
        if project is None:
            return CaptureResult(accepted=0, dropped=len(cmd.events))
        await self._queue.put(
            [
                IngestEvent(
                    project_id=project.id,
                    event=e.event,
                    distinct_id=e.distinct_id,
                    properties=e.properties,
                    set=e.set,
                    set_once=e.set_once,
                    timestamp=e.timestamp,
                )
                for e in events
            ]
        )
        return CaptureResult(accepted=len(events), dropped=len(cmd.events) - len(events))
