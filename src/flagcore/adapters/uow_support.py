"""Pieces every ``UnitOfWork`` adapter shares, whatever its technology."""

from __future__ import annotations

import logging

from flagcore.ports.unit_of_work import AfterCommit

logger = logging.getLogger("flagcore.uow")


class AfterCommitActions:
    """Actions registered with a unit of work, run once after its commit succeeded."""

    def __init__(self) -> None:
        self._actions: list[AfterCommit] = []

    def add(self, action: AfterCommit) -> None:
        self._actions.append(action)

    async def run(self) -> None:
        actions, self._actions = self._actions, []
        for action in actions:
            try:
                await action()
            except Exception:  # the change is committed: a failed follow-up must not report the write as failed
                logger.exception("an after-commit action failed")
