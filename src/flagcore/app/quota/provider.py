"""dishka provider of quota accounting, the quota check, throttles and the quota use cases (ports only).

The stores behind them (``QuotaStores``) are chosen in ``app/ioc.py``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import NamedTuple

from dishka import Provider, Scope, provide

from flagcore.app.quota.accounting import UsageAccounting
from flagcore.app.quota.gate import QuotaGate
from flagcore.app.quota.manage import GetQuota, SetQuota
from flagcore.app.quota.serving import ServingQuota
from flagcore.app.quota.throttles import ThrottleRates, Throttles
from flagcore.app.settings import Settings, parse_project_rates
from flagcore.domain.quota import parse_rate
from flagcore.ports.clock import Clock
from flagcore.ports.quota import QuotaLimitRepo, RateLimiter, UsageCounters
from flagcore.ports.unit_of_work import UnitOfWorkFactory


class QuotaStores(NamedTuple):
    limits: QuotaLimitRepo
    counters: UsageCounters
    #: ``redis``, ``db`` or ``memory``, for ``/_status``.
    counter_store: str
    rate_limiter: RateLimiter


def throttle_rates(settings: Settings) -> ThrottleRates:
    """The rates the settings ask for (already validated by ``Settings``)."""
    return ThrottleRates(
        enabled=settings.rate_limits_enabled,
        burst=parse_rate(settings.rate_limit_burst),
        sustained=parse_rate(settings.rate_limit_sustained),
        feed=parse_rate(settings.rate_limit_feed),
        feed_projects=parse_project_rates("rate_limit_feed_projects", settings.rate_limit_feed_projects),
        remote_config=parse_rate(settings.rate_limit_remote_config),
        remote_config_projects=parse_project_rates(
            "rate_limit_remote_config_projects", settings.rate_limit_remote_config_projects
        ),
    )


class QuotaProvider(Provider):
    scope = Scope.APP

    @provide
    async def accounting(self, stores: QuotaStores, clock: Clock, settings: Settings) -> AsyncIterator[UsageAccounting]:
        accounting = UsageAccounting(stores.counters, clock, flush_s=settings.quota_flush_s)
        accounting.start()
        yield accounting
        await accounting.close()  # what this process counted is flushed before it exits

    @provide
    def gate(self, stores: QuotaStores, accounting: UsageAccounting, clock: Clock, settings: Settings) -> QuotaGate:
        return QuotaGate(stores.limits, stores.counters, accounting, clock, check_s=settings.quota_check_s)

    @provide
    def throttles(self, stores: QuotaStores, settings: Settings) -> Throttles:
        return Throttles(stores.rate_limiter, throttle_rates(settings))

    @provide
    def serving(
        self, gate: QuotaGate, accounting: UsageAccounting, throttles: Throttles, settings: Settings
    ) -> ServingQuota:
        return ServingQuota(gate, accounting, throttles, enabled=settings.quotas_enabled)

    @provide
    def set_quota(self, transactions: UnitOfWorkFactory, gate: QuotaGate, clock: Clock) -> SetQuota:
        return SetQuota(transactions, gate, clock)

    get_quota = provide(GetQuota)
