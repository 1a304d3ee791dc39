"""dishka provider of the OpenFeature use cases (they hold only ports: one instance per app)."""

from __future__ import annotations

from dishka import Provider, Scope, provide_all

from flagcore.app.openfeature.evaluate_ofrep import EvaluateOfrep
from flagcore.app.openfeature.manifest import GetManifest
from flagcore.app.openfeature.sync_manifest import SyncManifest


class OpenFeatureProvider(Provider):
    scope = Scope.APP
    use_cases = provide_all(GetManifest, SyncManifest, EvaluateOfrep)
