"""The directory Prometheus' multi-process mode shares between granian workers.

prometheus-client picks its value store when it is first imported, from ``PROMETHEUS_MULTIPROC_DIR``; so
``flagcore serve`` sets it before any worker starts (this module imports nothing of prometheus-client). Files left
by an earlier run would add its counts to this one's, so the directory starts empty.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Final

MULTIPROCESS_ENV: Final = "PROMETHEUS_MULTIPROC_DIR"


@contextmanager
def multiprocess_metrics(workers: int) -> Iterator[Path | None]:
    """For the duration of ``serve``: a fresh metrics directory when ``workers`` > 1 (``None`` otherwise).

    A directory the operator named in ``PROMETHEUS_MULTIPROC_DIR`` is emptied of metric files and kept; one made
    here is a new temporary directory, removed afterwards.
    """
    if workers <= 1:
        yield None
        return
    named = os.environ.get(MULTIPROCESS_ENV)
    if named:
        directory = Path(named)
        directory.mkdir(parents=True, exist_ok=True)
        for stale in directory.glob("*.db"):
            stale.unlink()
        yield directory
        return
    directory = Path(tempfile.mkdtemp(prefix="flagcore-metrics-"))
    os.environ[MULTIPROCESS_ENV] = str(directory)
    try:
        yield directory
    finally:
        del os.environ[MULTIPROCESS_ENV]
        shutil.rmtree(directory, ignore_errors=True)
