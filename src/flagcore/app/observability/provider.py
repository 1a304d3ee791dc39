"""The app's metrics as a dishka dependency (APP scope: one set per process)."""

from __future__ import annotations

from dishka import Provider, Scope, provide

from flagcore.app.observability.metrics import Metrics


class ObservabilityProvider(Provider):
    metrics = provide(Metrics, scope=Scope.APP)
