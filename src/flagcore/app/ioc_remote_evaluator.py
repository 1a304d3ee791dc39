"""The provider of ``FLAGCORE_EVALUATOR=http``, imported by ``app/ioc.py`` only when the settings choose it.

A module of its own because dishka reads the factories' signatures, which name httpx's client: the local evaluator
(the default) does without importing httpx.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
from dishka import Provider, Scope, provide

from flagcore.adapters.http import HttpFlagEvaluator
from flagcore.app.settings import Settings
from flagcore.ports.flag_evaluator import FlagEvaluator


class HttpEvaluatorProvider(Provider):
    """my_flags / evaluation_reasons proxied to a ``/flags?v=2`` service, over one pooled client per process."""

    scope = Scope.APP

    @provide
    async def client(self, settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
        async with httpx.AsyncClient(timeout=settings.evaluator_timeout_s) as client:
            yield client

    @provide
    def evaluator(self, client: httpx.AsyncClient, settings: Settings) -> FlagEvaluator:
        # Settings guarantee the URL is set when this provider is chosen.
        base_url = settings.evaluator_url or ""
        return HttpFlagEvaluator(client, base_url=base_url, timeout_s=settings.evaluator_timeout_s)
