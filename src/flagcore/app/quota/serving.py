"""What serving paths call: is the request's organization limited, and count what was served.

- ``/flags`` and ``/decide``: :meth:`ServingQuota.flags_request` (1 unit when served; a limited request is not).
- the definitions feed: :meth:`ServingQuota.check_feed` before, :meth:`ServingQuota.feed_served` after a 200
  (10 units; a 304 counts nothing).
- remote config: :meth:`ServingQuota.remote_config` (throttle per project, then 1 unit).
"""

from __future__ import annotations

from flagcore.app.quota.accounting import UsageAccounting
from flagcore.app.quota.gate import QuotaGate
from flagcore.app.quota.throttles import Throttles
from flagcore.domain.identity import Project
from flagcore.domain.quota import FEED_REQUEST_COST, FLAGS_REQUEST_COST, REMOTE_CONFIG_COST, QuotaLimitedError


class ServingQuota:
    def __init__(self, gate: QuotaGate, accounting: UsageAccounting, throttles: Throttles, *, enabled: bool) -> None:
        self._gate = gate
        self._accounting = accounting
        self._throttles = throttles
        self.enabled = enabled

    async def flags_request(self, project: Project) -> bool:
        """Whether the project's organization is limited; when it is not, the request is counted (1 unit)."""
        if not self.enabled:
            return False
        organization_id = project.organization_id
        limited = self._gate.cached(organization_id)  # the common case: no coroutine, no I/O
        if limited is None:
            limited = await self._gate.limited(organization_id)
        if limited:
            return True
        self._accounting.count(organization_id, FLAGS_REQUEST_COST)
        return False

    async def check_feed(self, project: Project) -> None:
        """Admit a definitions feed request (throttle, then quota).

        Raises:
            ThrottledError: the project's feed rate is exceeded (429).
            QuotaLimitedError: the organization is limited (402).
        """
        await self._throttles.feed(project.id)
        if self.enabled and await self._gate.limited(project.organization_id):
            raise QuotaLimitedError

    def feed_served(self, project: Project) -> None:
        """Count a definitions feed answered with its body (not a 304)."""
        if self.enabled:
            self._accounting.count(project.organization_id, FEED_REQUEST_COST)

    async def remote_config(self, project: Project) -> None:
        """Admit and count one remote config request of ``project``.

        Raises:
            ThrottledError: the project's remote config rate is exceeded (429).
        """
        await self._throttles.remote_config(project.id)
        if self.enabled:
            self._accounting.count(project.organization_id, REMOTE_CONFIG_COST)
