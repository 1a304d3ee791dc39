"""Wiring: the access log and metrics middleware, ``/metrics``, ``/_ready`` and the log format, in one call."""

from __future__ import annotations

from dishka import AsyncContainer
from litestar import Litestar

from flagcore.app.http.operations.metrics import metrics as metrics_route
from flagcore.app.http.operations.ready import ready
from flagcore.app.observability.logs import configure_logging, log_writer
from flagcore.app.observability.metrics import Metrics
from flagcore.app.observability.middleware import ObservabilityMiddleware
from flagcore.app.observability.sources import MetricsPublisher, StatusSources
from flagcore.app.observability.state import STATE_KEY, Observability
from flagcore.app.settings import Settings


def configure_logs(settings: Settings) -> None:
    """Root logging at ``FLAGCORE_LOG_LEVEL`` in ``FLAGCORE_LOG_FORMAT`` lines, written off the event loop."""
    configure_logging(settings.log_level, settings.log_format)


def install_observability(app: Litestar, container: AsyncContainer, settings: Settings) -> None:
    """Add ``/_ready`` and (``FLAGCORE_METRICS``) ``/metrics``, and wrap the app in the access/metrics middleware.

    Call it after ``setup_dishka``: the middleware then wraps dishka's too, so durations cover the whole request.
    """
    access = log_writer(settings.log_format) if settings.access_log else None
    state = app.state[STATE_KEY] = Observability(access=access)
    app.register(ready)
    if settings.metrics:
        app.register(metrics_route)
    # Both off: no middleware at all (requests pay nothing; /flags makes its request id itself).
    middleware = None
    if settings.metrics or access is not None:
        middleware = ObservabilityMiddleware(
            app.asgi_handler, metrics=None, access=access, sample=settings.metrics_evaluation_sample
        )
        app.asgi_handler = middleware

    async def start() -> None:
        metrics = await container.get(Metrics)
        sources = await StatusSources.resolve(container, sql=not settings.uses_memory_storage)
        state.started(metrics, MetricsPublisher(metrics, sources))
        if settings.metrics and middleware is not None:
            middleware.measure(metrics)

    app.on_startup.append(start)
    app.on_shutdown.insert(0, state.stopped)
